//! The connected sources of each organisation and the reports of their runs, kept in the
//! accounts database (SQLite) beside the organisations they belong to, never in the RDF
//! store.
use super::HarvestError;
use super::report::RunReport;
use crate::accounts::{Accounts, now};
use serde::Serialize;
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Row, Transaction};
use std::str::FromStr;

/// What a source serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A DCAT catalogue (RDF/XML, Turtle, JSON-LD or N-Triples), Hydra-paged or whole.
    Dcat,
    /// A CKAN site, through its action API (`package_search`).
    Ckan,
    /// An LDES DCAT-AP event stream.
    Ldes,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dcat => "dcat",
            Self::Ckan => "ckan",
            Self::Ldes => "ldes",
        }
    }
}

impl FromStr for SourceKind {
    type Err = HarvestError;

    fn from_str(s: &str) -> Result<Self, HarvestError> {
        match s.to_ascii_lowercase().as_str() {
            "dcat" => Ok(Self::Dcat),
            "ckan" => Ok(Self::Ckan),
            "ldes" => Ok(Self::Ldes),
            other => Err(HarvestError::Invalid(format!(
                "{other:?} is not a kind of source (dcat, ckan or ldes)"
            ))),
        }
    }
}

/// A connected source.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub id: i64,
    pub org_id: i64,
    pub kind: SourceKind,
    pub url: String,
    /// A cron expression: minute, hour, day of month, month, day of week (UTC).
    pub schedule: String,
    /// The largest share of its records one run may remove without an admin's confirmation.
    pub max_removal: f64,
    /// Seconds a run may take before it is stopped.
    pub time_budget: i64,
    #[serde(skip)]
    pub etag: Option<String>,
    #[serde(skip)]
    pub last_modified: Option<String>,
    /// LDES: where the stream was left (the page, time and members of the last event
    /// applied), as JSON.
    pub position: Option<String>,
    /// An admin allowed the next run to remove more than `max_removal`.
    pub confirm_removal: bool,
    pub created_by: String,
    pub created_at: i64,
}

impl Source {
    /// The origin the ledger keeps beside the records this source wrote.
    pub fn origin(&self) -> String {
        format!("source:{}", self.id)
    }

    /// The validators of the last fetch, for a conditional GET.
    pub fn validators(&self) -> super::Validators {
        super::Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// What a new source is given; the rest has defaults.
#[derive(Clone, Debug, Default)]
pub struct NewSource {
    pub kind: Option<SourceKind>,
    pub url: String,
    pub schedule: Option<String>,
    pub max_removal: Option<f64>,
    pub time_budget: Option<i64>,
}

/// One run of a source.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: i64,
    pub source_id: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// `running`, `succeeded` or `failed`.
    pub outcome: String,
    pub report: serde_json::Value,
}

/// A source with what its page shows: the last run, the next, and whether it keeps failing.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceStatus {
    #[serde(flatten)]
    pub source: Source,
    pub last_run: Option<Run>,
    /// Unix seconds of the next scheduled run.
    pub next_run: Option<i64>,
    /// The last three runs failed.
    pub failing: bool,
}

/// Runs that fail in a row before a source is marked failing.
pub const FAILING_AFTER: i64 = 3;

/// The sources table, through the accounts database's pool.
#[derive(Clone, Debug)]
pub struct Sources {
    pool: SqlitePool,
}

impl Sources {
    pub fn new(accounts: &Accounts) -> Self {
        Self {
            pool: accounts.pool().clone(),
        }
    }

    /// Adds a source to organisation `org_id`, checking the URL and schedule.
    pub async fn add(
        &self,
        org_id: i64,
        new: &NewSource,
        created_by: &str,
    ) -> Result<Source, HarvestError> {
        let url = check_url(&new.url)?;
        let schedule = match &new.schedule {
            Some(s) => check_schedule(s)?,
            None => spread_schedule(&url),
        };
        let max_removal = new.max_removal.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&max_removal) {
            return Err(HarvestError::Invalid(
                "max removal is a share between 0 and 1".into(),
            ));
        }
        let time_budget = new.time_budget.unwrap_or(900);
        if time_budget < 1 {
            return Err(HarvestError::Invalid(
                "the time budget is at least one second".into(),
            ));
        }
        let kind = new.kind.unwrap_or(SourceKind::Dcat);
        let inserted = sqlx::query(
            "INSERT INTO sources (org_id, kind, url, schedule, max_removal, time_budget,
                                  created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(org_id)
        .bind(kind.as_str())
        .bind(&url)
        .bind(&schedule)
        .bind(max_removal)
        .bind(time_budget)
        .bind(created_by)
        .bind(now())
        .execute(&self.pool)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(HarvestError::Invalid(
                format!("the organisation already has a source at {url}"),
            )),
            other => self.get(other?.last_insert_rowid()).await,
        }
    }

    pub async fn get(&self, id: i64) -> Result<Source, HarvestError> {
        sqlx::query("SELECT * FROM sources WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| source_from_row(&row))
            .ok_or(HarvestError::UnknownSource(id))
    }

    /// The organisation's sources, oldest first.
    pub async fn of_organisation(&self, org_id: i64) -> Result<Vec<Source>, HarvestError> {
        Ok(
            sqlx::query("SELECT * FROM sources WHERE org_id = ? ORDER BY id")
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(source_from_row)
                .collect(),
        )
    }

    pub async fn all(&self) -> Result<Vec<Source>, HarvestError> {
        Ok(sqlx::query("SELECT * FROM sources ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(source_from_row)
            .collect())
    }

    /// Removes a source and its run reports; its records stay, as hand-published ones would.
    pub async fn remove(&self, id: i64) -> Result<(), HarvestError> {
        let done = sqlx::query("DELETE FROM sources WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(HarvestError::UnknownSource(id));
        }
        Ok(())
    }

    /// Lets the next run remove more than the source's share.
    pub async fn confirm_removal(&self, id: i64) -> Result<(), HarvestError> {
        self.get(id).await?;
        sqlx::query("UPDATE sources SET confirm_removal = 1 WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes the next run read everything again: no conditional GET, an LDES stream from
    /// its start.
    pub async fn forget_position(&self, id: i64) -> Result<(), HarvestError> {
        sqlx::query(
            "UPDATE sources SET etag = NULL, last_modified = NULL, position = NULL WHERE id = ?",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks a run of `source` as started, unless one is running: never two at once. A run
    /// left `running` by a crash counts as running until [`Sources::abandon_running`].
    pub async fn start_run(&self, source: i64) -> Result<i64, HarvestError> {
        let mut tx: Transaction<'_, sqlx::Sqlite> = self.pool.begin().await?;
        let running: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM source_runs WHERE source_id = ? AND outcome = 'running'",
        )
        .bind(source)
        .fetch_optional(&mut *tx)
        .await?;
        if running.is_some() {
            return Err(HarvestError::Running(source));
        }
        let id = sqlx::query(
            "INSERT INTO source_runs (source_id, started_at, outcome) VALUES (?, ?, 'running')",
        )
        .bind(source)
        .bind(now())
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        tx.commit().await?;
        Ok(id)
    }

    /// Records how a run ended, and what the next run starts from.
    pub async fn finish_run(
        &self,
        source: &Source,
        run: i64,
        report: &RunReport,
        next: &Resume,
    ) -> Result<(), HarvestError> {
        let outcome = if report.error.is_none() {
            "succeeded"
        } else {
            "failed"
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE source_runs SET finished_at = ?, outcome = ?, report = ? WHERE id = ?")
            .bind(now())
            .bind(outcome)
            .bind(serde_json::to_string(report).unwrap_or_default())
            .bind(run)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE sources SET etag = ?, last_modified = ?, position = ?,
                    confirm_removal = confirm_removal AND ? WHERE id = ?",
        )
        .bind(&next.validators.etag)
        .bind(&next.validators.last_modified)
        .bind(&next.position)
        .bind(!report.removal_confirmed_used)
        .bind(source.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks runs a crash left `running` as failed (at start, before any run begins).
    pub async fn abandon_running(&self) -> Result<u64, HarvestError> {
        let report = serde_json::json!({"error": "the server stopped during the run"});
        Ok(sqlx::query(
            "UPDATE source_runs SET outcome = 'failed', finished_at = ?, report = ?
             WHERE outcome = 'running'",
        )
        .bind(now())
        .bind(report.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// The source's runs, newest first.
    pub async fn runs(&self, source: i64, limit: i64) -> Result<Vec<Run>, HarvestError> {
        Ok(
            sqlx::query("SELECT * FROM source_runs WHERE source_id = ? ORDER BY id DESC LIMIT ?")
                .bind(source)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(run_from_row)
                .collect(),
        )
    }

    /// The sources whose scheduled time has come by `now` and that are not running, in one
    /// query with each source's last run.
    pub async fn due(&self, now: i64) -> Result<Vec<i64>, HarvestError> {
        let rows = sqlx::query(
            "SELECT s.id, s.schedule, s.created_at, r.started_at, r.outcome
             FROM sources s LEFT JOIN source_runs r
               ON r.id = (SELECT MAX(id) FROM source_runs WHERE source_id = s.id)
             ORDER BY s.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter(|row| row.get::<Option<String>, _>("outcome").as_deref() != Some("running"))
            .filter(|row| {
                let since: Option<i64> = row.get("started_at");
                let since = since.unwrap_or_else(|| row.get("created_at"));
                next_after(row.get("schedule"), since).is_some_and(|at| at <= now)
            })
            .map(|row| row.get("id"))
            .collect())
    }

    /// The source with its last run, next run and failing mark.
    pub async fn status(&self, source: Source) -> Result<SourceStatus, HarvestError> {
        let runs = self.runs(source.id, FAILING_AFTER).await?;
        let failing =
            runs.len() as i64 == FAILING_AFTER && runs.iter().all(|r| r.outcome == "failed");
        let since = runs.first().map_or(source.created_at, |r| r.started_at);
        Ok(SourceStatus {
            next_run: next_after(&source.schedule, since),
            last_run: runs.into_iter().next(),
            failing,
            source,
        })
    }
}

/// What the next run of a source starts from.
#[derive(Clone, Debug, Default)]
pub struct Resume {
    pub validators: super::Validators,
    pub position: Option<String>,
}

fn check_url(url: &str) -> Result<String, HarvestError> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| HarvestError::Invalid(format!("{url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(HarvestError::Invalid(format!(
            "{url:?} is not an http(s) URL"
        )));
    }
    Ok(parsed.to_string())
}

/// Checks a cron expression (five fields, or one of croner's nicknames such as `@daily`).
pub fn check_schedule(schedule: &str) -> Result<String, HarvestError> {
    let schedule = schedule.trim();
    croner::Cron::from_str(schedule)
        .map_err(|e| HarvestError::Invalid(format!("schedule {schedule:?}: {e}")))?;
    Ok(schedule.to_owned())
}

/// The default schedule: nightly, at a minute between 01:00 and 04:59 UTC that depends on
/// the URL, so that many sources do not all run at once.
pub fn spread_schedule(url: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(url.as_bytes());
    let minutes = u16::from_be_bytes([digest[0], digest[1]]) % 240;
    format!("{} {} * * *", minutes % 60, 1 + minutes / 60)
}

/// The first time after `since` (Unix seconds) that the schedule names.
pub fn next_after(schedule: &str, since: i64) -> Option<i64> {
    let cron = croner::Cron::from_str(schedule).ok()?;
    let since = chrono::DateTime::from_timestamp(since, 0)?;
    cron.find_next_occurrence(&since, false)
        .ok()
        .map(|t| t.timestamp())
}

fn source_from_row(row: &SqliteRow) -> Source {
    let kind: String = row.get("kind");
    Source {
        id: row.get("id"),
        org_id: row.get("org_id"),
        kind: kind.parse().unwrap_or(SourceKind::Dcat),
        url: row.get("url"),
        schedule: row.get("schedule"),
        max_removal: row.get("max_removal"),
        time_budget: row.get("time_budget"),
        etag: row.get("etag"),
        last_modified: row.get("last_modified"),
        position: row.get("position"),
        confirm_removal: row.get("confirm_removal"),
        created_by: row.get("created_by"),
        created_at: row.get("created_at"),
    }
}

fn run_from_row(row: &SqliteRow) -> Run {
    let report: String = row.get("report");
    Run {
        id: row.get("id"),
        source_id: row.get("source_id"),
        started_at: row.get("started_at"),
        finished_at: row.get("finished_at"),
        outcome: row.get("outcome"),
        report: serde_json::from_str(&report).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_nightly_and_spread() {
        let a = spread_schedule("https://a.example/catalog");
        let b = spread_schedule("https://b.example/catalog");
        assert_ne!(a, b);
        for s in [a, b] {
            assert!(check_schedule(&s).is_ok(), "{s}");
            let hour: u32 = s.split(' ').nth(1).unwrap().parse().unwrap();
            assert!((1..5).contains(&hour), "{s}");
        }
    }

    #[test]
    fn the_next_run_follows_the_schedule() {
        // 2026-01-01T00:00:00Z; "30 2 * * *" is next at 02:30 that day.
        assert_eq!(
            next_after("30 2 * * *", 1_767_225_600),
            Some(1_767_225_600 + 2 * 3600 + 30 * 60)
        );
        assert!(check_schedule("every night").is_err());
    }
}
