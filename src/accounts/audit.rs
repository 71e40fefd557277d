//! The audit log: who wrote which record for which organisation, when, with the record's
//! canonical hash before and after.
use super::{Accounts, Result, now};
use sqlx::Row;

#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub orgnr: Option<String>,
    pub record: String,
    pub action: String,
    pub hash_before: Option<String>,
    pub hash_after: Option<String>,
}

impl AuditEntry {
    pub fn time(&self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.at)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }
}

/// One write to note in the audit log.
pub struct AuditNote<'a> {
    pub org_id: Option<i64>,
    pub record: &'a str,
    pub action: &'a str,
    pub hash_before: Option<&'a str>,
    pub hash_after: Option<&'a str>,
}

impl Accounts {
    /// Notes the writes of one request in one transaction: a whole catalogue posted at once
    /// costs one commit, not one per record.
    pub async fn audit(&self, actor: &str, notes: &[AuditNote<'_>]) -> Result<()> {
        let at = now();
        let mut tx = self.pool().begin().await?;
        for note in notes {
            sqlx::query(
                "INSERT INTO audit (at, actor, org_id, record, action, hash_before, hash_after)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(at)
            .bind(actor)
            .bind(note.org_id)
            .bind(note.record)
            .bind(note.action)
            .bind(note.hash_before)
            .bind(note.hash_after)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's audit log, newest first.
    pub async fn audit_log(&self, org_id: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT a.*, o.orgnr FROM audit a LEFT JOIN organisations o ON o.id = a.org_id
             WHERE a.org_id = ? ORDER BY a.id DESC",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| AuditEntry {
                at: row.get("at"),
                actor: row.get("actor"),
                orgnr: row.get("orgnr"),
                record: row.get("record"),
                action: row.get("action"),
                hash_before: row.get("hash_before"),
                hash_after: row.get("hash_after"),
            })
            .collect())
    }
}

/// The log as CSV (RFC 4180), one row per write.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("time,actor,organisation,record,action,hash_before,hash_after\r\n");
    for e in entries {
        let fields = [
            e.time(),
            e.actor.clone(),
            e.orgnr.clone().unwrap_or_default(),
            e.record.clone(),
            e.action.clone(),
            e.hash_before.clone().unwrap_or_default(),
            e.hash_after.clone().unwrap_or_default(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_field(value: &str) -> String {
    // A leading =, +, - or @ would be run as a formula by spreadsheet programs.
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}
