//! The envelope every driftscope summary is serialized in (KLL excepted: it writes the
//! Apache DataSketches format so other libraries can read it).
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
//! The checksum turns any flipped bit into a clean error instead of a wrong number.

use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"DSCP";
const HEADER: usize = 14;

/// Builds a payload and wraps it in the envelope.
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub fn new(kind: &[u8; 4], version: u16) -> Self {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(kind);
        buf.extend_from_slice(&version.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        Self { buf }
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

    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u64(v.len() as u64);
        self.buf.extend_from_slice(v);
        self
    }

    pub fn finish(mut self) -> Vec<u8> {
        let payload = (self.buf.len() - HEADER) as u32;
        self.buf[10..14].copy_from_slice(&payload.to_le_bytes());
        let crc = crc32fast::hash(&self.buf);
        self.buf.extend_from_slice(&crc.to_le_bytes());
        self.buf
    }
}

/// Checks the envelope and reads the payload field by field.
pub struct Reader<'a> {
    payload: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Opens `bytes` as a `what` (used in messages) of kind `kind`, returning the reader and the
    /// format version found, which must be at most `max_version`.
    pub fn open(
        bytes: &'a [u8],
        kind: &[u8; 4],
        max_version: u16,
        what: &'static str,
    ) -> Result<(Self, u16)> {
        let corrupt = |msg: String| Error::Corrupt(format!("cannot read {what}: {msg}"));
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
        if &bytes[4..8] != kind {
            return Err(corrupt(format!(
                "the bytes hold a '{}' summary, not a '{}'",
                String::from_utf8_lossy(&bytes[4..8]),
                String::from_utf8_lossy(kind)
            )));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if version == 0 || version > max_version {
            return Err(corrupt(format!(
                "format version {version} is not supported (this driftscope reads 1..={max_version})"
            )));
        }
        let len = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
        if bytes.len() != HEADER + len + 4 {
            return Err(corrupt(format!(
                "the header announces {len} payload bytes but {} were given",
                bytes.len().saturating_sub(HEADER + 4)
            )));
        }
        let body = &bytes[..HEADER + len];
        let mut crc = [0u8; 4];
        crc.copy_from_slice(&bytes[HEADER + len..]);
        if crc32fast::hash(body) != u32::from_le_bytes(crc) {
            return Err(corrupt("checksum mismatch: the bytes are corrupted".into()));
        }
        Ok((
            Self {
                payload: &bytes[HEADER..HEADER + len],
                pos: 0,
                what,
            },
            version,
        ))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.payload.len() - self.pos < n {
            return Err(Error::Corrupt(format!(
                "cannot read {}: payload ends early",
                self.what
            )));
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
        Error::Corrupt(format!("cannot read {}: {msg}", self.what))
    }

    /// Fails unless every payload byte was consumed.
    pub fn finish(self) -> Result<()> {
        if self.pos != self.payload.len() {
            return Err(self.invalid("trailing bytes after the payload"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_single_byte_corruption_is_caught() {
        let mut w = Writer::new(b"TEST", 1);
        w.u64(42).f64(1.5).i32(-3).bytes(b"abc");
        let bytes = w.finish();
        let (mut r, v) = Reader::open(&bytes, b"TEST", 1, "test").unwrap();
        assert_eq!(v, 1);
        assert_eq!(r.u64().unwrap(), 42);
        assert_eq!(r.f64().unwrap(), 1.5);
        assert_eq!(r.i32().unwrap(), -3);
        assert_eq!(r.bytes().unwrap(), b"abc");
        r.finish().unwrap();
        for i in 0..bytes.len() {
            for flip in [1u8, 0x80, 0xff] {
                let mut bad = bytes.clone();
                bad[i] ^= flip;
                assert!(Reader::open(&bad, b"TEST", 1, "test").is_err(), "byte {i}");
            }
        }
        for n in 0..bytes.len() {
            assert!(Reader::open(&bytes[..n], b"TEST", 1, "test").is_err());
        }
        assert!(Reader::open(&bytes, b"MOMT", 1, "test").is_err());
    }
}
