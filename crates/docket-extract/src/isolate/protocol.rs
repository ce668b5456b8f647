//! What a parser process and its parent say to each other.
//!
//! A frame is a little-endian `u32` length and that many bytes. The child
//! greets with a [`Hello`] frame; then every request is two frames, a JSON
//! [`Request`] and the file's bytes as they are (JSON would quadruple them),
//! and every answer one JSON [`Reply`] frame. JSON because the extraction is
//! stored as JSON anyway, so its types already round-trip through it.

use std::io::{self, Read, Write};

use docket_domain::BusinessDocument;
use serde::{Deserialize, Serialize};

use crate::{ExtractError, Extraction, InputKind, Limits};

/// Bumped when a frame changes, so a parent never talks to a stale binary.
pub(crate) const VERSION: u32 = 1;

/// The largest frame read; requests are bounded by `Limits::max_bytes` long
/// before this, replies by what 50 pages of text can be.
const MAX_FRAME: usize = 1 << 30;

/// The child's first frame.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Hello {
    /// [`VERSION`] of the child's build.
    pub version: u32,
}

/// One request; the file's bytes follow in a frame of their own.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Request {
    /// What to do with the bytes.
    pub job: Job,
    /// The limits of this request.
    pub limits: Limits,
}

/// What a request asks for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) enum Job {
    /// Read a file of this kind.
    Read(InputKind),
    /// Misbehave on purpose (tests of the pool only).
    Test(TestJob),
}

/// Misbehaviour on request, to test the pool: only
/// [`crate::isolate::Pool::run_test_job`] asks for it, never a document.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TestJob {
    /// Panic with the message "test panic".
    Panic,
    /// Loop forever.
    Spin,
    /// Allocate and touch this many bytes, then fail with `NotADocument`.
    Allocate(usize),
    /// Abort the process.
    Abort,
    /// Recurse until the stack overflows.
    Overflow,
}

/// The answer to one request.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Reply {
    /// The extraction or why there is none.
    pub result: Result<WireExtraction, ExtractError>,
    /// The child ends after this reply (it has grown too large to stay).
    pub retire: bool,
}

/// [`Extraction`] with its text, which its own serde form leaves out.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireExtraction {
    document: BusinessDocument,
    method: String,
    text: Option<String>,
}

impl From<Extraction> for WireExtraction {
    fn from(e: Extraction) -> Self {
        WireExtraction {
            document: e.document,
            method: e.method,
            text: e.text,
        }
    }
}

impl From<WireExtraction> for Extraction {
    fn from(w: WireExtraction) -> Self {
        Extraction {
            document: w.document,
            method: w.method,
            text: w.text,
        }
    }
}

/// Writes one frame (the caller flushes).
pub(crate) fn write_frame(out: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len())
        .ok()
        .filter(|&n| n as usize <= MAX_FRAME)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(payload)
}

/// Writes `value` as one JSON frame and flushes.
pub(crate) fn write_json(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let json = serde_json::to_vec(value).map_err(io::Error::other)?;
    write_frame(out, &json)?;
    out.flush()
}

/// Reads one frame; `None` at a clean end of input (before a frame starts).
pub(crate) fn read_frame(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < len.len() {
        match input.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut payload = vec![0u8; len];
    input.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// Parses a JSON frame.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(frame: &[u8]) -> io::Result<T> {
    serde_json::from_slice(frame).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_a_clean_end_is_none() {
        let mut wire = Vec::new();
        write_frame(&mut wire, b"abc").unwrap();
        write_frame(&mut wire, b"").unwrap();
        let mut input = wire.as_slice();
        assert_eq!(read_frame(&mut input).unwrap(), Some(b"abc".to_vec()));
        assert_eq!(read_frame(&mut input).unwrap(), Some(Vec::new()));
        assert_eq!(read_frame(&mut input).unwrap(), None);
    }

    #[test]
    fn a_cut_frame_is_an_error() {
        let mut wire = Vec::new();
        write_frame(&mut wire, b"abcdef").unwrap();
        wire.truncate(7);
        assert!(read_frame(&mut wire.as_slice()).is_err());
        assert!(read_frame(&mut &wire[..2]).is_err());
    }

    #[test]
    fn errors_and_limits_survive_the_wire() {
        let request = Request {
            job: Job::Read(InputKind::Pdf),
            limits: Limits::default(),
        };
        let back: Request = parse(&serde_json::to_vec(&request).unwrap()).unwrap();
        assert_eq!(back.limits, Limits::default());
        let reply = Reply {
            result: Err(ExtractError::TooManyPages {
                pages: 90,
                limit: 50,
            }),
            retire: true,
        };
        let back: Reply = parse(&serde_json::to_vec(&reply).unwrap()).unwrap();
        assert_eq!(back.result.unwrap_err(), reply.result.unwrap_err());
    }
}
