//! Loading a PDF with lopdf, with one repair attempt.
//!
//! Damaged cross-reference tables (wrong offsets after an in-place edit) are the
//! commonest damage in real mail; lopdf does not recover from them by itself, so
//! the table is rebuilt once by scanning for `N G obj`, within bounds. Password
//! and security-handler errors become [`ExtractError::Encrypted`].

use lopdf::Document;

use crate::ExtractError;

/// Loads a PDF with lopdf, retrying once with a rebuilt cross-reference table
/// when the file's own is damaged (wrong offsets after an in-place edit are the
/// commonest damage, and lopdf does not recover from them by itself).
pub fn load_pdf(bytes: &[u8]) -> Result<Document, ExtractError> {
    let error = match Document::load_mem(bytes) {
        Ok(pdf) => return Ok(pdf),
        Err(e) => e,
    };
    if is_encryption_error(&error) {
        return Err(ExtractError::Encrypted);
    }
    match repair::rebuild_xref(bytes).map(|fixed| Document::load_mem(&fixed)) {
        Some(Ok(pdf)) => Ok(pdf),
        Some(Err(e)) if is_encryption_error(&e) => Err(ExtractError::Encrypted),
        _ => Err(ExtractError::Pdf(error.to_string())),
    }
}

fn is_encryption_error(error: &lopdf::Error) -> bool {
    matches!(
        error,
        lopdf::Error::InvalidPassword
            | lopdf::Error::Decryption(_)
            | lopdf::Error::UnsupportedSecurityHandler(_)
            | lopdf::Error::AlreadyEncrypted
    )
}

mod repair {
    //! Rebuilding a classic cross-reference table by scanning for `N G obj`.

    use std::collections::BTreeMap;

    /// Object numbers above this are not rebuilt (a crafted number would
    /// otherwise make the table enormous).
    const MAX_OBJECT_NUMBER: u32 = 2_000_000;

    /// The PDF with a fresh xref section and trailer appended; `None` when no
    /// trailer (classic, or a cross-reference stream's dictionary) names a root.
    pub fn rebuild_xref(bytes: &[u8]) -> Option<Vec<u8>> {
        // lopdf ignores anything before the header, so offsets count from it.
        let start = find(bytes, b"%PDF-", 0)?;
        let pdf = bytes.get(start..)?;
        let old_trailer = match rfind(pdf, b"trailer") {
            Some(at) => dictionary_at(pdf, at + b"trailer".len())?,
            None => {
                let xref_stream = rfind(pdf, b"/XRef")?;
                let obj = rfind(pdf.get(..xref_stream)?, b"obj")?;
                dictionary_at(pdf, obj)?
            }
        };

        let mut objects: BTreeMap<u32, (u16, usize)> = BTreeMap::new();
        let mut at = 0;
        while let Some(pos) = find(pdf, b"obj", at) {
            at = pos + 3;
            if let Some((number, generation, offset)) = object_header_before(pdf, pos)
                && number <= MAX_OBJECT_NUMBER
            {
                objects.insert(number, (generation, offset));
            }
        }
        let size = objects.keys().next_back()?.checked_add(1)?;
        // Real numbering is dense; a sparse one would only inflate the table.
        let dense_enough = objects.len().saturating_mul(8).saturating_add(1024);
        if usize::try_from(size).ok()? > dense_enough {
            return None;
        }
        let trailer = trailer_entries(old_trailer, size)?;

        let mut out = pdf.to_vec();
        out.push(b'\n');
        let xref_at = out.len();
        out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
        for number in 0..size {
            let entry = match objects.get(&number) {
                Some((generation, offset)) => format!("{offset:010} {generation:05} n\r\n"),
                None if number == 0 => "0000000000 65535 f\r\n".to_string(),
                None => "0000000000 00000 f\r\n".to_string(),
            };
            out.extend_from_slice(entry.as_bytes());
        }
        out.extend_from_slice(b"trailer\n");
        out.extend_from_slice(&trailer);
        out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
        Some(out)
    }

    fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    }

    fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).rposition(|w| w == needle)
    }

    /// `N G obj` ending at `obj_at`, at the start of a line or after a delimiter:
    /// returns the numbers and the offset of `N`.
    fn object_header_before(pdf: &[u8], obj_at: usize) -> Option<(u32, u16, usize)> {
        if pdf
            .get(obj_at + 3)
            .is_some_and(|b| b.is_ascii_alphanumeric())
        {
            return None;
        }
        let mut i = obj_at;
        let mut numbers = [0u64; 2];
        for slot in numbers.iter_mut().rev() {
            let end = skip_back(pdf, i, |b| b.is_ascii_whitespace())?;
            let begin = skip_back(pdf, end, |b| b.is_ascii_digit())?;
            let digits = std::str::from_utf8(pdf.get(begin..end)?).ok()?;
            if digits.is_empty() || digits.len() > 10 || end == i {
                return None;
            }
            *slot = digits.parse().ok()?;
            i = begin;
        }
        let delimited = i == 0
            || pdf
                .get(i - 1)
                .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'.');
        if !delimited {
            return None;
        }
        let [number, generation] = numbers;
        Some((
            u32::try_from(number).ok()?,
            u16::try_from(generation).ok()?,
            i,
        ))
    }

    /// Moves back from `from` over bytes matching `pred` (at most 64 of them).
    fn skip_back(pdf: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> Option<usize> {
        let mut i = from;
        while i > 0 && from - i < 64 && pred(*pdf.get(i - 1)?) {
            i -= 1;
        }
        Some(i)
    }

    /// The `<< ... >>` dictionary starting after `from`, nested dictionaries included.
    fn dictionary_at(pdf: &[u8], from: usize) -> Option<&[u8]> {
        let begin = find(pdf, b"<<", from)?;
        let mut depth = 0usize;
        let mut i = begin;
        while i + 1 < pdf.len() {
            match pdf.get(i..i + 2)? {
                b"<<" => {
                    depth += 1;
                    i += 2;
                }
                b">>" => {
                    depth = depth.checked_sub(1)?;
                    i += 2;
                    if depth == 0 {
                        return pdf.get(begin..i);
                    }
                }
                _ => i += 1,
            }
        }
        None
    }

    /// The rebuilt trailer: `/Size`, and what it keeps (`/Root`, `/Info`, `/Encrypt`, `/ID`);
    /// the old ones about sections (`/Prev`, `/XRefStm`, `/W`, ...) point at
    /// offsets that are no longer trusted.
    fn trailer_entries(dict: &[u8], size: u32) -> Option<Vec<u8>> {
        let mut out = format!("<</Size {size}").into_bytes();
        for key in [&b"/Root"[..], b"/Info", b"/Encrypt", b"/ID"] {
            let Some(at) = find_key(dict, key) else {
                continue;
            };
            let mut begin = at + key.len();
            while dict.get(begin).is_some_and(|b| b.is_ascii_whitespace()) {
                begin += 1;
            }
            let value = match dict.get(begin) {
                Some(b'[') => dict.get(begin..=find(dict, b"]", begin)?)?,
                Some(b'<') if dict.get(begin + 1) == Some(&b'<') => dictionary_at(dict, begin)?,
                _ => {
                    let end = find(dict, b"R", begin)?;
                    let value = dict.get(begin..=end)?;
                    let is_ref = value
                        .iter()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_whitespace() || *b == b'R');
                    if !is_ref {
                        continue;
                    }
                    value
                }
            };
            out.extend_from_slice(key);
            out.push(b' ');
            out.extend_from_slice(value);
        }
        out.extend_from_slice(b">>");
        find_key(&out, b"/Root").map(|_| out)
    }

    /// A key as a whole name (`/Root`, not `/RootX`).
    fn find_key(dict: &[u8], key: &[u8]) -> Option<usize> {
        let mut from = 0;
        while let Some(at) = find(dict, key, from) {
            let next = dict.get(at + key.len());
            if next.is_none_or(|b| !b.is_ascii_alphanumeric()) {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }
}
