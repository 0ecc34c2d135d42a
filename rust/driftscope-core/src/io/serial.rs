//! The envelope every driftscope summary is serialized in (KLL excepted: it writes the
//! Apache DataSketches format so other libraries can read it), and the one registry of the
//! kinds written in it.
//!
//! Layout, all integers little-endian:
//!
//! | bytes | content |
//! | --- | --- |
//! | 0..4 | magic `b"DSCP"` |
//! | 4..8 | kind tag, e.g. `b"MOMT"` |
//! | 8..10 | format version of that kind (u16) |
//! | 10..14 | payload length (u32) |
//! | 14..14+len | payload |
//! | last 4 | CRC-32 of everything before it |
//!
//! The checksum turns any flipped bit into a clean error instead of a wrong number. The
//! length field caps a payload at [`MAX_PAYLOAD`] bytes (4 GiB − 1); [`Writer::finish`]
//! refuses a larger one instead of writing a wrong length.
//!
//! # The registry
//!
//! [`REGISTRY`] is the only place that names a kind's tag and format versions: [`Writer::new`]
//! and [`Reader::open`] take a [`Kind`], so a summary cannot write a tag that is not
//! registered, and every message names the kind as the registry does.
//!
//! # Versioning rule
//!
//! A kind's format version is bumped for any change to its payload's layout or meaning (a
//! field added, removed, reordered or reinterpreted; a hash or a convention changed). Then:
//!
//! 1. The reader keeps reading every older version it ever wrote: the registry's
//!    `oldest_readable` stays where it was, and `from_bytes` branches on
//!    [`Reader::version`]. Sketches users stored must still load.
//! 2. A golden file of the new version is added under `tests/data/golden/` (its name carries
//!    the version), and the golden files of the old versions stay in the repository forever
//!    and keep loading to the same values (`tests/golden.rs` fails when a version has no
//!    golden file, or when one stops loading).
//! 3. Bytes of a newer version than this driftscope writes are refused with a message saying
//!    to upgrade driftscope.
//!
//! The one exception is `DistinctCount` format 1: it hashed with SipHash-1-3, and format 2's
//! XXH3 registers do not merge with those, so format 1 is refused (its `oldest_readable` is 2,
//! its `retired` note says why and what to do) rather than read into a sketch that would merge
//! wrongly. Its golden file stays too, to pin that refusal. Retiring a version needs such a
//! reason: a version that can be read correctly is read.

use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"DSCP";
const HEADER: usize = 14;

/// The largest payload the envelope can hold: its length field is a u32.
pub const MAX_PAYLOAD: usize = u32::MAX as usize;

/// A kind of summary serialized in the envelope; its tag and versions are its [`Format`] in
/// [`REGISTRY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Moments,
    Histogram,
    CategoryCounts,
    Ecdf,
    FrequentItems,
    DistinctCount,
    GridHistogram,
    Profile,
}

/// One row of the registry: how a kind is written and which of its versions are read.
#[derive(Debug, PartialEq, Eq)]
pub struct Format {
    pub kind: Kind,
    /// The four bytes after the magic.
    pub tag: [u8; 4],
    /// The kind's name in messages (the Python class name).
    pub name: &'static str,
    /// The format version written.
    pub version: u16,
    /// The oldest format version read; every version from it to `version` is read.
    pub oldest_readable: u16,
    /// Why versions below `oldest_readable` are refused, and what to do (empty when none is).
    pub retired: &'static str,
    /// What to do when a summary is too large for the envelope.
    pub shrink: &'static str,
}

/// Every kind written in the envelope, in [`Kind`]'s order. Tags are unique (tested), and a
/// row changes only as the module documentation's versioning rule says.
pub static REGISTRY: [Format; 8] = [
    Format {
        kind: Kind::Moments,
        tag: *b"MOMT",
        name: "Moments",
        version: 1,
        oldest_readable: 1,
        retired: "",
        shrink: "",
    },
    Format {
        kind: Kind::Histogram,
        tag: *b"HIST",
        name: "Histogram",
        version: 1,
        oldest_readable: 1,
        retired: "",
        shrink: "use fewer bins",
    },
    Format {
        kind: Kind::CategoryCounts,
        tag: *b"CATS",
        name: "CategoryCounts",
        version: 1,
        oldest_readable: 1,
        retired: "",
        shrink: "give it a lower capacity, or keep the reference's top categories (top_k)",
    },
    Format {
        kind: Kind::Ecdf,
        tag: *b"ECDF",
        name: "ECDF",
        version: 1,
        oldest_readable: 1,
        retired: "",
        shrink: "build it on a sample of the reference, or summarize the reference with a KLL \
                 sketch",
    },
    Format {
        kind: Kind::FrequentItems,
        tag: *b"FREQ",
        name: "FrequentItems",
        version: 1,
        oldest_readable: 1,
        retired: "",
        shrink: "give it a smaller max_map_size",
    },
    Format {
        kind: Kind::DistinctCount,
        tag: *b"HLLD",
        name: "DistinctCount",
        // Format 2: XXH3-64 hashes.
        version: 2,
        oldest_readable: 2,
        retired: "format 1 hashed with SipHash-1-3, whose registers do not merge with \
                  format 2's (XXH3); sketch the data again",
        shrink: "give it a smaller lg_k",
    },
    Format {
        kind: Kind::GridHistogram,
        tag: *b"GRID",
        name: "GridHistogram",
        version: 1,
        oldest_readable: 1,
        retired: "",
        shrink: "",
    },
    Format {
        kind: Kind::Profile,
        tag: *b"PROF",
        name: "Profile",
        version: 1,
        oldest_readable: 1,
        retired: "",
        shrink: "profile fewer columns, or lower domain_limit and frequent_map_size",
    },
];

impl Kind {
    /// Every kind, in the registry's order.
    pub const ALL: [Kind; 8] = [
        Kind::Moments,
        Kind::Histogram,
        Kind::CategoryCounts,
        Kind::Ecdf,
        Kind::FrequentItems,
        Kind::DistinctCount,
        Kind::GridHistogram,
        Kind::Profile,
    ];

    /// The kind's row of [`REGISTRY`].
    pub fn format(self) -> &'static Format {
        &REGISTRY[self as usize]
    }

    /// An error saying bytes of this kind decode to something inconsistent.
    pub fn corrupt(self, msg: &str) -> Error {
        Error::Corrupt(format!("cannot read {}: {msg}", self.format().name))
    }
}

// The rows follow `Kind`'s order (so `Kind::format` indexes them), checked at compile time.
const _: () = {
    let mut i = 0;
    while i < REGISTRY.len() {
        assert!(REGISTRY[i].kind as usize == i && Kind::ALL[i] as usize == i);
        i += 1;
    }
};

/// The payload length field for `len` payload bytes of `kind`, or the error saying the
/// payload is too large for the envelope.
fn payload_len(kind: Kind, len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| {
        let f = kind.format();
        let todo = if f.shrink.is_empty() {
            "this should not happen for this kind; please report it"
        } else {
            f.shrink
        };
        Error::InvalidArgument(format!(
            "cannot serialize {}: its payload is {len} bytes, more than the {MAX_PAYLOAD} bytes \
             (4 GiB - 1) a driftscope summary can hold; {todo}",
            f.name
        ))
    })
}

/// Builds a payload and wraps it in the envelope.
pub struct Writer {
    buf: Vec<u8>,
    kind: Kind,
}

impl Writer {
    /// A writer of `kind`'s current format version.
    pub fn new(kind: Kind) -> Self {
        Self::with_version(kind, kind.format().version)
    }

    fn with_version(kind: Kind, version: u16) -> Self {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&kind.format().tag);
        buf.extend_from_slice(&version.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        Self { buf, kind }
    }

    /// A writer of another format version, to forge old or future bytes in tests.
    #[cfg(test)]
    pub(crate) fn forge(kind: Kind, version: u16) -> Self {
        Self::with_version(kind, version)
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u64(v.len() as u64);
        self.buf.extend_from_slice(v);
        self
    }

    /// The envelope: header with the payload's length, payload, CRC-32. Fails (before reading
    /// the payload) when the payload exceeds [`MAX_PAYLOAD`].
    pub fn finish(mut self) -> Result<Vec<u8>> {
        let len = payload_len(self.kind, self.buf.len() - HEADER)?;
        self.buf[10..14].copy_from_slice(&len.to_le_bytes());
        let crc = crc32fast::hash(&self.buf);
        self.buf.extend_from_slice(&crc.to_le_bytes());
        Ok(self.buf)
    }
}

/// Checks the envelope and reads the payload field by field.
pub struct Reader<'a> {
    payload: &'a [u8],
    pos: usize,
    kind: Kind,
    version: u16,
}

impl<'a> Reader<'a> {
    /// Opens `bytes` as a `kind`: intact, of that kind, and of a version the registry says is
    /// read.
    pub fn open(bytes: &'a [u8], kind: Kind) -> Result<Self> {
        let f = kind.format();
        let corrupt = |msg: String| kind.corrupt(&msg);
        if bytes.len() < HEADER + 4 {
            return Err(corrupt(format!(
                "{} bytes is too short to hold a driftscope summary",
                bytes.len()
            )));
        }
        if &bytes[0..4] != MAGIC {
            return Err(corrupt(
                "the bytes do not start with the driftscope magic 'DSCP'".into(),
            ));
        }
        let len = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
        if bytes.len() - HEADER - 4 != len {
            return Err(corrupt(format!(
                "the header announces {len} payload bytes but {} were given",
                bytes.len() - HEADER - 4
            )));
        }
        let body = &bytes[..HEADER + len];
        let mut crc = [0u8; 4];
        crc.copy_from_slice(&bytes[HEADER + len..]);
        if crc32fast::hash(body) != u32::from_le_bytes(crc) {
            return Err(corrupt("checksum mismatch: the bytes are corrupted".into()));
        }
        // Intact: the tag and version are what some writer wrote.
        let tag = &bytes[4..8];
        if tag != f.tag {
            let found = match REGISTRY.iter().find(|g| g.tag == tag) {
                Some(g) => format!("a {} (kind '{}')", g.name, tag_text(tag)),
                None => format!(
                    "kind '{}', which this driftscope does not know (if a newer driftscope \
                     wrote it, upgrade driftscope)",
                    tag_text(tag)
                ),
            };
            return Err(corrupt(format!(
                "the bytes hold {found}, not a {} (kind '{}')",
                f.name,
                tag_text(&f.tag)
            )));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        let readable = format!(
            "this driftscope ({}) reads {} formats {}..={}",
            env!("CARGO_PKG_VERSION"),
            f.name,
            f.oldest_readable,
            f.version
        );
        if version > f.version {
            return Err(corrupt(format!(
                "the bytes are format {version}, written by a newer driftscope, and {readable}; \
                 upgrade driftscope to read them"
            )));
        }
        if version < f.oldest_readable {
            let why = if version == 0 {
                "there is no format 0"
            } else {
                f.retired
            };
            return Err(corrupt(format!(
                "the bytes are format {version}, which is no longer read ({readable}): {why}"
            )));
        }
        Ok(Self {
            payload: &bytes[HEADER..HEADER + len],
            pos: 0,
            kind,
            version,
        })
    }

    /// The format version of the bytes, for a reader of several versions to branch on.
    pub fn version(&self) -> u16 {
        self.version
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.payload.len() - self.pos < n {
            return Err(self.invalid("payload ends early"));
        }
        let out = &self.payload[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    pub fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| self.invalid("a length field is too large"))?;
        self.take(n)
    }

    /// An error saying the decoded content is inconsistent.
    pub fn invalid(&self, msg: &str) -> Error {
        self.kind.corrupt(msg)
    }

    /// Fails unless every payload byte was consumed.
    pub fn finish(self) -> Result<()> {
        if self.pos != self.payload.len() {
            return Err(self.invalid("trailing bytes after the payload"));
        }
        Ok(())
    }
}

/// A tag as text for messages (non-printable bytes escaped).
fn tag_text(tag: &[u8]) -> String {
    tag.escape_ascii().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn registry_rows_are_unique_and_consistent() {
        let tags: HashSet<[u8; 4]> = REGISTRY.iter().map(|f| f.tag).collect();
        assert_eq!(tags.len(), REGISTRY.len(), "kind tags must be unique");
        let names: HashSet<&str> = REGISTRY.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), REGISTRY.len(), "kind names must be unique");
        for (i, f) in REGISTRY.iter().enumerate() {
            assert_eq!(Kind::ALL[i], f.kind);
            assert_eq!(f.kind.format(), f);
            assert!(f.tag.iter().all(u8::is_ascii_uppercase), "{}", f.name);
            assert!(1 <= f.oldest_readable && f.oldest_readable <= f.version);
            // A retired version needs its reason, and only a retired one has a reason.
            assert_eq!(f.oldest_readable > 1, !f.retired.is_empty(), "{}", f.name);
            // KLL writes DataSketches' format, whose first bytes are never the magic.
            assert_ne!(&f.tag, MAGIC);
        }
    }

    #[test]
    fn round_trip_and_every_single_byte_corruption_is_caught() {
        let mut w = Writer::new(Kind::Moments);
        w.u64(42).f64(1.5).i32(-3).bytes(b"abc");
        let bytes = w.finish().unwrap();
        let mut r = Reader::open(&bytes, Kind::Moments).unwrap();
        assert_eq!(r.version(), 1);
        assert_eq!(r.u64().unwrap(), 42);
        assert_eq!(r.f64().unwrap(), 1.5);
        assert_eq!(r.i32().unwrap(), -3);
        assert_eq!(r.bytes().unwrap(), b"abc");
        r.finish().unwrap();
        for i in 0..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut bad = bytes.clone();
                bad[i] ^= flip;
                assert!(Reader::open(&bad, Kind::Moments).is_err(), "byte {i}");
            }
        }
        for n in 0..bytes.len() {
            assert!(Reader::open(&bytes[..n], Kind::Moments).is_err());
        }
        let e = Reader::open(&bytes, Kind::Histogram).err().unwrap();
        assert_eq!(
            e.to_string(),
            "cannot read Histogram: the bytes hold a Moments (kind 'MOMT'), not a Histogram \
             (kind 'HIST')"
        );
    }

    /// An intact envelope with any tag and version (what another driftscope might write).
    fn envelope(tag: &[u8; 4], version: u16) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(tag);
        b.extend_from_slice(&version.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        let crc = crc32fast::hash(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        b
    }

    #[test]
    fn versions_outside_the_registry_are_refused_with_what_to_do() {
        let msg = |tag: &[u8; 4], version: u16, kind: Kind| {
            Reader::open(&envelope(tag, version), kind)
                .err()
                .unwrap()
                .to_string()
        };
        let newer = msg(b"MOMT", 2, Kind::Moments);
        assert!(
            newer.starts_with(
                "cannot read Moments: the bytes are format 2, written by a newer driftscope"
            ),
            "{newer}"
        );
        assert!(
            newer.contains("reads Moments formats 1..=1; upgrade driftscope"),
            "{newer}"
        );
        let zero = msg(b"MOMT", 0, Kind::Moments);
        assert!(zero.ends_with("there is no format 0"), "{zero}");
        let retired = msg(b"HLLD", 1, Kind::DistinctCount);
        assert!(
            retired.contains("format 1, which is no longer read"),
            "{retired}"
        );
        assert!(retired.contains("SipHash-1-3"), "{retired}");
        let unknown = msg(b"ZZZZ", 1, Kind::Moments);
        assert!(
            unknown.contains("kind 'ZZZZ', which this driftscope does not know"),
            "{unknown}"
        );
        assert!(Reader::open(&envelope(b"HLLD", 2), Kind::DistinctCount).is_ok());
    }

    #[test]
    fn payload_length_limit_is_u32_max() {
        assert_eq!(payload_len(Kind::Moments, 0), Ok(0));
        assert_eq!(payload_len(Kind::Moments, MAX_PAYLOAD), Ok(u32::MAX));
        #[cfg(target_pointer_width = "64")]
        {
            let e = payload_len(Kind::FrequentItems, MAX_PAYLOAD + 1).unwrap_err();
            assert_eq!(
                e,
                Error::InvalidArgument(
                    "cannot serialize FrequentItems: its payload is 4294967296 bytes, more \
                     than the 4294967295 bytes (4 GiB - 1) a driftscope summary can hold; \
                     give it a smaller max_map_size"
                        .into()
                )
            );
        }
    }

    /// A payload of 4 GiB: calloc'd, so its pages are mapped on first touch only and cost
    /// no memory unless `finish` reads or writes them. It must fail before the CRC, which
    /// would read all 4 GiB (seconds, even optimized).
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn finish_refuses_a_payload_over_4_gib_before_reading_it() {
        let start = std::time::Instant::now();
        let rss = resident_kib();
        let mut buf = vec![0u8; HEADER + MAX_PAYLOAD + 1];
        let w = Writer::new(Kind::Ecdf);
        buf[..HEADER].copy_from_slice(&w.buf);
        let w = Writer { buf, ..w };
        let e = w.finish().unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
        assert!(e.to_string().contains("4294967296 bytes"), "{e}");
        assert!(e.to_string().contains("KLL"), "{e}");
        let grew = resident_kib().saturating_sub(rss);
        assert!(grew < 1 << 20, "resident memory grew by {grew} KiB");
        let took = start.elapsed();
        assert!(took.as_millis() < 1000, "took {took:?}");
    }

    /// The resident memory of this process in KiB (0 where /proc is not there).
    fn resident_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
                line.split_whitespace().nth(1)?.parse().ok()
            })
            .unwrap_or(0)
    }
}
