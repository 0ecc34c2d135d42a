//! A table's profile: its columns' profiles, its row count and its metadata.

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::logical::ColumnType;
use crate::io::serial::{Kind, Reader, Writer};
use crate::profile::column::{ColumnBatch, ColumnProfile, Options};

/// The profile of a table. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    columns: Vec<ColumnProfile>,
    num_rows: u64,
    options: Options,
    /// Provenance and user metadata, as UTF-8 text (JSON) owned by the Python layer.
    pub metadata: String,
}

impl Profile {
    /// An empty profile of a table whose columns are `(name, type, Arrow type as printed)`.
    pub fn new(columns: &[(String, ColumnType, String)], options: Options) -> Result<Profile> {
        let mut seen = std::collections::HashSet::new();
        for (name, _, _) in columns {
            if !seen.insert(name.as_str()) {
                return Err(Error::InvalidArgument(format!(
                    "the table has two columns named '{name}'; rename one to profile it"
                )));
            }
        }
        Ok(Profile {
            columns: columns
                .iter()
                .map(|(name, t, arrow)| ColumnProfile::new(name, t, arrow, &options))
                .collect::<Result<_>>()?,
            num_rows: 0,
            options,
            metadata: String::new(),
        })
    }

    pub fn columns(&self) -> &[ColumnProfile] {
        &self.columns
    }

    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn num_rows(&self) -> u64 {
        self.num_rows
    }

    pub fn options(&self) -> Options {
        self.options
    }

    /// Adds one record batch of `rows` rows: `batch[i]` is column `i`'s values. Columns are
    /// summarized in parallel.
    pub fn update(&mut self, batch: &[ColumnBatch<'_>], rows: usize) -> Result<()> {
        if batch.len() != self.columns.len() {
            return Err(Error::InvalidArgument(format!(
                "a batch brings {} columns but the profile has {}",
                batch.len(),
                self.columns.len()
            )));
        }
        self.columns
            .par_iter_mut()
            .zip(batch.par_iter())
            .try_for_each(|(c, b)| c.update(b))?;
        self.num_rows += rows as u64;
        Ok(())
    }

    /// Completes the summaries that gather values across batches (each numeric column's
    /// last partial block for its KLL sketch). Call it when a stream of batches ends; merging
    /// and serializing finish a copy themselves, so an unfinished profile is never wrong,
    /// only its `kll` fields lag until then.
    pub fn finish(&mut self) {
        self.columns.par_iter_mut().for_each(ColumnProfile::finish);
    }

    /// Folds `other` (a profile of other rows of the same table) into this one: afterwards it
    /// profiles both. The columns must match by name, order and logical type.
    pub fn merge(&mut self, other: &Profile) -> Result<()> {
        let names = |p: &Profile| p.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        if names(self) != names(other) {
            return Err(Error::Incompatible(format!(
                "profiles of different columns cannot merge: [{}] and [{}]",
                names(self).join(", "),
                names(other).join(", ")
            )));
        }
        if self.options != other.options {
            return Err(Error::Incompatible(
                "profiles built with different options cannot merge".into(),
            ));
        }
        let mut merged = self.columns.clone();
        merged
            .par_iter_mut()
            .zip(other.columns.par_iter())
            .try_for_each(|(a, b)| a.merge(b))?;
        self.columns = merged;
        self.num_rows += other.num_rows;
        Ok(())
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new(Kind::Profile);
        w.bytes(self.metadata.as_bytes());
        w.u64(self.num_rows);
        let o = &self.options;
        w.u64(u64::from(o.kll_k))
            .u64(o.grid_bins as u64)
            .u8(o.lg_k)
            .u64(o.frequent_map_size as u64)
            .u64(o.domain_limit as u64);
        w.u64(self.columns.len() as u64);
        for c in &self.columns {
            c.write(&mut w)?;
        }
        w.finish()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Profile> {
        let mut r = Reader::open(bytes, Kind::Profile)?;
        let metadata = std::str::from_utf8(r.bytes()?)
            .map_err(|_| r.invalid("the metadata is not valid UTF-8"))?
            .to_string();
        let num_rows = r.u64()?;
        let size = |r: &mut Reader<'_>| {
            usize::try_from(r.u64()?).map_err(|_| r.invalid("a size is out of range"))
        };
        let kll_k = u16::try_from(r.u64()?).map_err(|_| r.invalid("bad KLL k"))?;
        let grid_bins = size(&mut r)?;
        let lg_k = r.u8()?;
        let frequent_map_size = size(&mut r)?;
        let domain_limit = size(&mut r)?;
        let options = Options {
            kll_k,
            grid_bins,
            lg_k,
            frequent_map_size,
            domain_limit,
        };
        let n = size(&mut r)?;
        let mut columns = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let c = ColumnProfile::read(&mut r)?;
            if c.rows != num_rows {
                return Err(r.invalid("a column's row count differs from the table's"));
            }
            columns.push(c);
        }
        r.finish()?;
        Ok(Profile {
            columns,
            num_rows,
            options,
            metadata,
        })
    }
}
