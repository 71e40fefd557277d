//! API tokens: random, shown once, stored only as a digest, scoped to one organisation, with
//! an optional expiry and revocation.
use super::{Accounts, AccountsError, Principal, Result, Role, now, random_secret, secret_digest};
use sqlx::Row;

#[derive(Clone, Debug, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl TokenInfo {
    pub fn active(&self) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|t| t > now())
    }
}

impl Accounts {
    /// Creates a token for `org_id`; returns the secret, which is never stored.
    pub async fn create_token(
        &self,
        org_id: i64,
        label: &str,
        created_by: &str,
        expires_days: Option<u32>,
    ) -> Result<(String, i64)> {
        let secret = random_secret("kat_");
        let expires = expires_days.map(|d| now() + i64::from(d) * 86_400);
        let id = sqlx::query(
            "INSERT INTO tokens (org_id, secret_hash, label, created_by, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(org_id)
        .bind(secret_digest(&secret))
        .bind(label)
        .bind(created_by)
        .bind(now())
        .bind(expires)
        .execute(self.pool())
        .await?
        .last_insert_rowid();
        Ok((secret, id))
    }

    pub async fn tokens(&self, org_id: i64) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query("SELECT * FROM tokens WHERE org_id = ? ORDER BY id")
            .bind(org_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|row| TokenInfo {
                id: row.get("id"),
                label: row.get("label"),
                created_by: row.get("created_by"),
                created_at: row.get("created_at"),
                expires_at: row.get("expires_at"),
                revoked_at: row.get("revoked_at"),
                last_used_at: row.get("last_used_at"),
            })
            .collect())
    }

    /// Revokes token `id` of `org_id`; an error when the organisation has no such token.
    pub async fn revoke_token(&self, org_id: i64, id: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND org_id = ?",
        )
        .bind(now())
        .bind(id)
        .bind(org_id)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(AccountsError::Invalid(format!(
                "the organisation has no token #{id}"
            )));
        }
        Ok(())
    }

    /// The principal of a live (not expired, not revoked) token: an editor of its organisation.
    pub async fn principal_for_token(&self, secret: &str) -> Result<Option<Principal>> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, o.* FROM tokens t JOIN organisations o ON o.id = t.org_id
             WHERE t.secret_hash = ? AND t.revoked_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > ?)",
        )
        .bind(secret_digest(secret))
        .bind(now())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: i64 = row.get("token_id");
        sqlx::query("UPDATE tokens SET last_used_at = ? WHERE id = ?")
            .bind(now())
            .bind(token_id)
            .execute(self.pool())
            .await?;
        let org = super::organisation_from_row(&row);
        Ok(Some(Principal {
            actor: format!("token #{token_id} ({})", org.orgnr),
            user_id: None,
            site_admin: false,
            // A token publishes; managing users and tokens takes a logged-in admin.
            memberships: vec![(org, Role::Editor)],
        }))
    }
}
