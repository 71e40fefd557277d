//! What one run of a source did, kept per source and shown on the publisher page, in the
//! API and by `katalog source run --json`.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub source: i64,
    pub kind: String,
    pub url: String,
    /// Records written for the first time.
    pub added: usize,
    /// Records whose content changed.
    pub updated: usize,
    /// Records that vanished from the source and were removed.
    pub removed: usize,
    /// Records the source gives as they are stored.
    pub unchanged: usize,
    /// Records left out: they fail the shapes or name another publisher.
    pub skipped: usize,
    /// Records another organisation, another source or a publisher owns.
    pub conflicts: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_records: Vec<Skipped>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflict_records: Vec<Conflict>,
    /// Vanished records kept because removing them needs an admin's confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_held: Option<String>,
    /// The run removed more than the share, as an admin confirmed it may.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removal_confirmed_used: bool,
    /// Validation warnings of the records written, and what the parser passed over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Each request, with its HTTP status and size.
    pub fetches: Vec<FetchNote>,
    pub bytes: u64,
    pub pages: usize,
    pub duration_ms: u64,
    /// Every page was read: only then (and with nothing passed over) may vanished records
    /// be removed.
    pub complete: bool,
    /// Statements the parser passed over (an invalid IRI, a stray token).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub passed_over: usize,
    /// The source answered 304 Not Modified.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_modified: bool,
    /// Why the run failed; None when it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Skipped {
    pub record: String,
    pub reason: String,
    /// The SHACL report of its violations, when the shapes refused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Conflict {
    pub record: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FetchNote {
    pub url: String,
    /// The HTTP status; None when no answer came (refused, timed out).
    pub status: Option<u16>,
    pub bytes: u64,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Warnings listed at most, so that a messy source does not make a report of megabytes.
const MAX_WARNINGS: usize = 200;

impl RunReport {
    pub fn warn(&mut self, warning: impl Into<String>) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning.into());
        } else if self.warnings.len() == MAX_WARNINGS {
            self.warnings.push("… more warnings left out".into());
        }
    }

    /// Notes one request: its status (None when no answer came) and the size of its body.
    pub fn fetched(&mut self, url: &str, status: Option<u16>, bytes: usize) {
        self.fetches.push(FetchNote {
            url: url.to_owned(),
            status,
            bytes: bytes as u64,
        });
        if status.is_some() {
            self.bytes += bytes as u64;
            self.pages += 1;
        }
    }

    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }

    /// One line for the terminal and the log.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} added, {} updated, {} removed, {} unchanged, {} skipped, {} conflicts",
            self.added, self.updated, self.removed, self.unchanged, self.skipped, self.conflicts
        );
        if let Some(held) = &self.removal_held {
            line.push_str(&format!("; {held}"));
        }
        if let Some(error) = &self.error {
            line.push_str(&format!("; failed: {error}"));
        }
        line
    }
}
