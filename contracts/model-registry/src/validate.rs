//! Input validation shared by every entry point. Each check names the field and the value it rejects.

use crate::errors::RegistryError;
use crate::limits::*;

pub fn max_len(field: &str, value: &str, max: usize) -> Result<(), RegistryError> {
    if value.len() > max {
        return Err(RegistryError::TooLong {
            field: field.to_string(),
            len: value.len(),
            max,
        });
    }
    Ok(())
}

pub fn max_items<T>(field: &str, items: &[T], max: usize) -> Result<(), RegistryError> {
    if items.len() > max {
        return Err(RegistryError::TooMany {
            field: field.to_string(),
            len: items.len(),
            max,
        });
    }
    Ok(())
}

/// A lowercase slug: `[a-z0-9]` first, then `[a-z0-9]` or one of `extra`, `min..=max` bytes.
pub fn slug(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    extra: &[u8],
) -> Result<(), RegistryError> {
    max_len(field, value, max)?;
    if value.len() < min {
        return Err(RegistryError::invalid(
            field,
            value,
            format!("must be at least {min} bytes"),
        ));
    }
    let mut bytes = value.bytes();
    if let Some(first) = bytes.next()
        && !(first.is_ascii_lowercase() || first.is_ascii_digit())
    {
        return Err(RegistryError::invalid(
            field,
            value,
            "must start with a lowercase letter or digit",
        ));
    }
    if let Some(bad) = value.chars().find(|c| {
        !(c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || u8::try_from(*c).is_ok_and(|b| extra.contains(&b)))
    }) {
        let allowed: String = extra.iter().map(|b| char::from(*b)).collect();
        return Err(RegistryError::invalid(
            field,
            value,
            format!("character '{bad}' is not allowed (use a-z, 0-9 and '{allowed}')"),
        ));
    }
    Ok(())
}

pub fn namespace(value: &str) -> Result<(), RegistryError> {
    slug(
        "namespace",
        value,
        NAMESPACE_MIN_LEN,
        NAMESPACE_MAX_LEN,
        b"-_",
    )
}

pub fn model_name(value: &str) -> Result<(), RegistryError> {
    slug("name", value, 1, NAME_MAX_LEN, b"-_.")
}

pub fn alias(value: &str) -> Result<(), RegistryError> {
    slug("alias", value, 1, ALIAS_MAX_LEN, b"-_")
}

/// Splits and validates a `namespace/name` model id.
pub fn model_id(field: &str, value: &str) -> Result<(), RegistryError> {
    max_len(field, value, NAMESPACE_MAX_LEN + 1 + NAME_MAX_LEN)?;
    let Some((ns, name)) = value.split_once('/') else {
        return Err(RegistryError::invalid(
            field,
            value,
            "expected 'namespace/name'",
        ));
    };
    namespace(ns)?;
    model_name(name)
}

/// Printable ASCII without spaces (for URIs, dataset ids, labels).
fn printable(field: &str, value: &str) -> Result<(), RegistryError> {
    if let Some(bad) = value.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(RegistryError::invalid(
            field,
            value,
            format!("character {bad:?} is not allowed"),
        ));
    }
    Ok(())
}

/// Text (descriptions, messages, reasons): bounded, no control characters except newline and tab.
pub fn text(field: &str, value: &str, max: usize) -> Result<(), RegistryError> {
    max_len(field, value, max)?;
    if let Some(bad) = value
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(RegistryError::invalid(
            field,
            value,
            format!("control character {bad:?} is not allowed"),
        ));
    }
    Ok(())
}

pub fn non_empty_text(field: &str, value: &str, max: usize) -> Result<(), RegistryError> {
    if value.trim().is_empty() {
        return Err(RegistryError::invalid(field, value, "must not be empty"));
    }
    text(field, value, max)
}

/// A URI with one of the accepted schemes.
pub fn uri(field: &str, value: &str, schemes: &[&str]) -> Result<(), RegistryError> {
    max_len(field, value, URI_MAX_LEN)?;
    printable(field, value)?;
    let ok = schemes.iter().any(|s| {
        value
            .strip_prefix(s)
            .and_then(|r| r.strip_prefix("://"))
            .is_some_and(|rest| !rest.is_empty())
    });
    if !ok {
        let list: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
        return Err(RegistryError::invalid(
            field,
            value,
            format!("must start with one of {}", list.join(", ")),
        ));
    }
    Ok(())
}

/// Artifact locations.
pub const ARTIFACT_SCHEMES: &[&str] = &["https", "ipfs", "hf", "ar", "s3"];
/// Homepages and evidence.
pub const WEB_SCHEMES: &[&str] = &["https", "http", "ipfs", "hf", "ar"];

/// A label such as an SPDX licence id, a framework or a task: 1–max bytes of `[A-Za-z0-9.+-_]`.
pub fn label(field: &str, value: &str, max: usize) -> Result<(), RegistryError> {
    max_len(field, value, max)?;
    if value.is_empty() {
        return Err(RegistryError::invalid(field, value, "must not be empty"));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_')))
    {
        return Err(RegistryError::invalid(
            field,
            value,
            format!("character {bad:?} is not allowed (use A-Z, a-z, 0-9, '.', '+', '-', '_')"),
        ));
    }
    Ok(())
}

/// A 32-byte digest given as 64 hex characters (either case).
pub fn digest(field: &str, value: &str) -> Result<[u8; 32], RegistryError> {
    digest_of(|| field.to_string(), value)
}

/// [`digest`] with the field name computed only for an error.
pub fn digest_of(field: impl FnOnce() -> String, value: &str) -> Result<[u8; 32], RegistryError> {
    let err = |reason: String| RegistryError::InvalidDigest {
        field: field(),
        value: value.chars().take(80).collect(),
        reason,
    };
    if value.len() != 64 {
        return Err(err(format!("got {} characters", value.len())));
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(value, &mut out)
        .map_err(|_| err("found a non-hex character".to_string()))?;
    Ok(out)
}

/// A lineage dataset version id: `<dataset_id>@<version>`, printable ASCII, both parts non-empty.
pub fn dataset_version_id(field: &str, value: &str) -> Result<(), RegistryError> {
    max_len(field, value, DATASET_ID_MAX_LEN)?;
    printable(field, value)?;
    match value.rsplit_once('@') {
        Some((id, ver)) if !id.is_empty() && !ver.is_empty() => Ok(()),
        _ => Err(RegistryError::invalid(
            field,
            value,
            "expected '<dataset_id>@<version>'",
        )),
    }
}

/// A decimal score: optional '-', digits, optional '.' and digits.
pub fn score(value: &str) -> Result<(), RegistryError> {
    max_len("score", value, SCORE_MAX_LEN)?;
    let body = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(RegistryError::invalid(
            "score",
            value,
            "expected a decimal number such as '0.874' or '97'",
        ));
    }
    Ok(())
}
