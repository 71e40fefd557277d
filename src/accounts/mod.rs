//! Organisations, users, roles, API tokens, invitations and the audit log.
//!
//! All of it lives in an SQLite database beside the RDF store (never in it), reached through
//! `sqlx` so the same code can later run on PostgreSQL. Nothing here is visible through
//! SPARQL, the feeds, search or dereferencing. Every call reads the database afresh, so a
//! running server sees changes made by the command line at once.
mod audit;
pub mod orgnr;
mod password;
mod throttle;
mod tokens;
mod users;

pub use audit::{AuditEntry, AuditNote, to_csv as audit_csv};
pub use throttle::Throttle;
pub use tokens::TokenInfo;
pub use users::Invitation;

use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Row, sqlite::SqliteRow};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("accounts database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("accounts database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "{0:?} is not a valid Swedish organisation number (ten digits with a correct check digit)"
    )]
    InvalidOrgnr(String),
    #[error("no organisation {0}")]
    UnknownOrganisation(String),
    #[error("no user {0}")]
    UnknownUser(String),
    #[error("{0} already exists")]
    Exists(String),
    #[error("{0:?} is not a role (admin or editor)")]
    InvalidRole(String),
    #[error("{0}")]
    Invalid(String),
    #[error("password hashing: {0}")]
    Hash(String),
}

pub type Result<T, E = AccountsError> = std::result::Result<T, E>;

/// What a member may do in an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages the organisation's users, tokens and audit log, and publishes.
    Admin,
    /// Publishes the organisation's records.
    Editor,
}

impl Role {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "admin" => Ok(Self::Admin),
            "editor" => Ok(Self::Editor),
            other => Err(AccountsError::InvalidRole(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Editor => "editor",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Organisation {
    pub id: i64,
    pub orgnr: String,
    pub name: String,
    /// The `dcterms:publisher` of the organisation's records.
    pub publisher_iri: String,
    /// An optional base of its own for the IRIs of its records.
    pub uri_space: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub site_admin: bool,
}

/// Who makes a request, and for which organisations.
#[derive(Clone, Debug)]
pub struct Principal {
    /// For the audit log: an e-mail address, or `token #N (orgnr)`.
    pub actor: String,
    pub user_id: Option<i64>,
    pub site_admin: bool,
    pub memberships: Vec<(Organisation, Role)>,
}

impl Principal {
    /// The site administrator of the `--admin-token` (may publish for anyone).
    pub fn site_admin(actor: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            user_id: None,
            site_admin: true,
            memberships: Vec::new(),
        }
    }

    /// The organisation whose publisher IRI is `publisher`, if this principal publishes for it.
    pub fn organisation_for(&self, publisher: &str) -> Option<&Organisation> {
        self.memberships
            .iter()
            .map(|(org, _)| org)
            .find(|org| org.publisher_iri == publisher)
    }

    pub fn may_publish_for(&self, publisher: &str) -> bool {
        self.site_admin || self.organisation_for(publisher).is_some()
    }

    /// True when the principal manages `org` (its users, tokens and audit log).
    pub fn administers(&self, org_id: i64) -> bool {
        self.site_admin
            || self
                .memberships
                .iter()
                .any(|(org, role)| org.id == org_id && *role == Role::Admin)
    }

    pub fn member_of(&self, org_id: i64) -> bool {
        self.site_admin || self.memberships.iter().any(|(org, _)| org.id == org_id)
    }
}

#[derive(Clone, Debug)]
pub struct Accounts {
    pool: SqlitePool,
}

/// The migrations in `migrations/`, compiled into the binary.
#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> futures_util::future::BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        let migration = |version, name, sql| {
            Migration::new(
                version,
                Cow::Borrowed(name),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        };
        let migrations = vec![
            migration(
                1,
                "accounts",
                include_str!("../../migrations/0001_accounts.sql"),
            ),
            migration(
                2,
                "sources",
                include_str!("../../migrations/0002_sources.sql"),
            ),
        ];
        Box::pin(async move { Ok(migrations) })
    }
}

/// The accounts database's file in the data directory.
pub const ACCOUNTS_FILE: &str = "accounts.sqlite";

impl Accounts {
    /// Opens (or creates) the accounts database `accounts.sqlite` in the data directory and
    /// brings its schema up to date.
    pub async fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| AccountsError::Database(e.into()))?;
        let options = SqliteConnectOptions::new()
            .filename(dir.join(ACCOUNTS_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            // The command line and the server may write at the same time.
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Migrator::new(Embedded).await?.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Writes a consistent copy of the database into `path` (SQLite's `VACUUM INTO`), while
    /// the server goes on using it.
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Adds an organisation; its publisher IRI defaults to dataportal.se's form.
    pub async fn add_organisation(
        &self,
        orgnr: &str,
        name: &str,
        publisher_iri: Option<&str>,
        uri_space: Option<&str>,
    ) -> Result<Organisation> {
        let orgnr =
            orgnr::normalize(orgnr).ok_or_else(|| AccountsError::InvalidOrgnr(orgnr.to_owned()))?;
        if name.trim().is_empty() {
            return Err(AccountsError::Invalid(
                "the organisation needs a name".into(),
            ));
        }
        let publisher = publisher_iri
            .map(str::to_owned)
            .unwrap_or_else(|| orgnr::publisher_iri(&orgnr));
        oxigraph::model::NamedNode::new(&publisher)
            .map_err(|e| AccountsError::Invalid(format!("publisher IRI: {e}")))?;
        let inserted = sqlx::query(
            "INSERT INTO organisations (orgnr, name, publisher_iri, uri_space, created_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&orgnr)
        .bind(name.trim())
        .bind(&publisher)
        .bind(uri_space)
        .bind(now())
        .execute(&self.pool)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(AccountsError::Exists(format!("organisation {orgnr}")))
            }
            other => {
                other?;
                self.organisation(&orgnr).await
            }
        }
    }

    /// The organisation with this number (any accepted spelling).
    pub async fn organisation(&self, orgnr: &str) -> Result<Organisation> {
        let digits = orgnr::normalize(orgnr).unwrap_or_else(|| orgnr.to_owned());
        sqlx::query("SELECT * FROM organisations WHERE orgnr = ?")
            .bind(&digits)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| organisation_from_row(&row))
            .ok_or(AccountsError::UnknownOrganisation(digits))
    }

    pub async fn organisation_by_id(&self, id: i64) -> Result<Organisation> {
        sqlx::query("SELECT * FROM organisations WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| organisation_from_row(&row))
            .ok_or_else(|| AccountsError::UnknownOrganisation(id.to_string()))
    }

    /// The organisation whose records name `publisher` as `dcterms:publisher`.
    pub async fn organisation_by_publisher(&self, publisher: &str) -> Result<Option<Organisation>> {
        Ok(
            sqlx::query("SELECT * FROM organisations WHERE publisher_iri = ?")
                .bind(publisher)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| organisation_from_row(&row)),
        )
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        Ok(sqlx::query("SELECT * FROM organisations ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(organisation_from_row)
            .collect())
    }
}

fn organisation_from_row(row: &SqliteRow) -> Organisation {
    Organisation {
        id: row.get("id"),
        orgnr: row.get("orgnr"),
        name: row.get("name"),
        publisher_iri: row.get("publisher_iri"),
        uri_space: row.get("uri_space"),
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A random secret (tokens, invitations), as 64 hex digits with a readable prefix.
fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    format!("{prefix}{}", hex::encode(bytes))
}

/// Secrets are stored as SHA-256 digests: they are long and random, so a slow hash adds
/// nothing, and the lookup stays one indexed query.
fn secret_digest(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}
