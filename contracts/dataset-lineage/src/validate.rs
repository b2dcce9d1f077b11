//! Input validation shared by every entry point. Each check returns `Error::InvalidField` naming the field,
//! the offending value and the rule, before the call writes anything.
//!
//! Identifier formats (documented here once; the limits live in `limits.rs`):
//! - dataset id: 1..=64 of `a-z 0-9 - _ .`, first character a letter or digit;
//! - version label: 1..=32 of `a-z 0-9 - _ . +`, first character a letter or digit;
//! - dataset version id: `<dataset_id>@<version>` (so at most 97 bytes; neither part contains `@`);
//! - model version id (chosen by the model registry): `<namespace>/<name>@<version>`, at most 256 bytes of
//!   printable ASCII without spaces, exactly one `@`, a `/` before it, no empty part;
//! - digests: sha256 as 64 lowercase hex characters;
//! - URIs: 1..=512 bytes of printable ASCII without spaces.

use crate::errors::{Error, Result};
use crate::limits::*;

fn invalid(field: &'static str, value: &str, rule: &'static str) -> Error {
    // Values are echoed in error messages; cap what is echoed so a huge input cannot bloat the log.
    let shown: String = value.chars().take(MAX_URI_LEN).collect();
    Error::InvalidField {
        field,
        value: shown,
        rule,
    }
}

const DATASET_ID_RULE: &str =
    "must be 1-64 characters of a-z, 0-9, '-', '_', '.' starting with a letter or digit";
const VERSION_RULE: &str =
    "must be 1-32 characters of a-z, 0-9, '-', '_', '.', '+' starting with a letter or digit";

fn ident_ok(s: &str, max: usize, extra: &[u8]) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= max
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || extra.contains(b))
}

pub fn dataset_id(field: &'static str, value: &str) -> Result<()> {
    if ident_ok(value, MAX_DATASET_ID_LEN, b"-_.") {
        Ok(())
    } else {
        Err(invalid(field, value, DATASET_ID_RULE))
    }
}

pub fn version_label(field: &'static str, value: &str) -> Result<()> {
    if ident_ok(value, MAX_VERSION_LEN, b"-_.+") {
        Ok(())
    } else {
        Err(invalid(field, value, VERSION_RULE))
    }
}

/// Splits and checks a `<dataset_id>@<version>` id.
pub fn version_id<'a>(field: &'static str, value: &'a str) -> Result<(&'a str, &'a str)> {
    const RULE: &str = "must be '<dataset_id>@<version>' with a valid dataset id and version label";
    let (dataset, version) = value
        .split_once('@')
        .ok_or_else(|| invalid(field, value, RULE))?;
    if ident_ok(dataset, MAX_DATASET_ID_LEN, b"-_.") && ident_ok(version, MAX_VERSION_LEN, b"-_.+")
    {
        Ok((dataset, version))
    } else {
        Err(invalid(field, value, RULE))
    }
}

pub fn make_version_id(dataset_id: &str, version: &str) -> String {
    format!("{dataset_id}@{version}")
}

fn printable_no_space(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_graphic())
}

pub fn model_version_id(field: &'static str, value: &str) -> Result<()> {
    const RULE: &str = "must be '<namespace>/<name>@<version>', at most 256 bytes of printable ascii without spaces";
    let ok = !value.is_empty()
        && value.len() <= MAX_MODEL_VERSION_ID_LEN
        && printable_no_space(value)
        && value.matches('@').count() == 1
        && value.split_once('@').is_some_and(|(path, version)| {
            !version.is_empty()
                && path
                    .split_once('/')
                    .is_some_and(|(ns, name)| !ns.is_empty() && !name.is_empty())
        });
    if ok {
        Ok(())
    } else {
        Err(invalid(field, value, RULE))
    }
}

pub fn digest(field: &'static str, value: &str) -> Result<()> {
    let ok = value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            value,
            "must be a sha256 digest: 64 lowercase hex characters",
        ))
    }
}

pub fn uri(field: &'static str, value: &str) -> Result<()> {
    if !value.is_empty() && value.len() <= MAX_URI_LEN && printable_no_space(value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            value,
            "must be 1-512 bytes of printable ascii without spaces",
        ))
    }
}

/// Free text (titles, reasons, purposes): not blank, no control characters, at most `max` characters.
pub fn text(field: &'static str, value: &str, max: usize, rule: &'static str) -> Result<()> {
    let ok = !value.trim().is_empty()
        && value.chars().count() <= max
        && !value.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(invalid(field, value, rule))
    }
}

pub fn title(value: &str) -> Result<()> {
    text(
        "title",
        value,
        MAX_TITLE_LEN,
        "must be 1-128 characters without control characters",
    )
}

pub fn reason(value: &str) -> Result<()> {
    text(
        "reason",
        value,
        MAX_REASON_LEN,
        "must be 1-512 characters without control characters",
    )
}

pub fn purpose(value: &str) -> Result<()> {
    text(
        "purpose",
        value,
        MAX_PURPOSE_LEN,
        "must be 1-256 characters without control characters",
    )
}

/// Checks that at most `max` entries were given.
pub fn count(field: &'static str, count: usize, max: usize) -> Result<()> {
    if count > max {
        Err(Error::TooMany { field, count, max })
    } else {
        Ok(())
    }
}
