//! Users, their roles per organisation, logins and invitations.
use super::{
    Accounts, AccountsError, Organisation, Principal, Result, Role, User, now, password,
    random_secret, secret_digest,
};
use sqlx::Row;

/// How long an invitation link stays valid.
const INVITATION_DAYS: i64 = 7;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
}

impl Accounts {
    /// Adds a user (argon2id hash of the password), a member of `org` with `role` when given.
    pub async fn add_user(
        &self,
        email: &str,
        password: &str,
        membership: Option<(&Organisation, Role)>,
        site_admin: bool,
    ) -> Result<User> {
        let email = normalize_email(email)?;
        let hash = hash_blocking(password).await?;
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (email, password_hash, site_admin, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(&email)
        .bind(&hash)
        .bind(site_admin)
        .bind(now())
        .execute(&mut *tx)
        .await;
        let id = match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(AccountsError::Exists(format!("user {email}")));
            }
            other => other?.last_insert_rowid(),
        };
        if let Some((org, role)) = membership {
            set_role(&mut tx, id, org.id, role).await?;
        }
        tx.commit().await?;
        Ok(User {
            id,
            email,
            site_admin,
        })
    }

    pub async fn user(&self, email: &str) -> Result<User> {
        sqlx::query("SELECT id, email, site_admin FROM users WHERE email = ?")
            .bind(email.trim())
            .fetch_optional(self.pool())
            .await?
            .map(|row| User {
                id: row.get("id"),
                email: row.get("email"),
                site_admin: row.get("site_admin"),
            })
            .ok_or_else(|| AccountsError::UnknownUser(email.to_owned()))
    }

    pub async fn set_password(&self, email: &str, password: &str) -> Result<()> {
        let hash = hash_blocking(password).await?;
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE email = ?")
            .bind(hash)
            .bind(email.trim())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(AccountsError::UnknownUser(email.to_owned()));
        }
        Ok(())
    }

    /// Gives `email` the role in `org` (replacing any role it had there).
    pub async fn grant(&self, email: &str, org: &Organisation, role: Role) -> Result<()> {
        let user = self.user(email).await?;
        let mut tx = self.pool().begin().await?;
        set_role(&mut tx, user.id, org.id, role).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_membership(&self, user_id: i64, org_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM memberships WHERE user_id = ? AND org_id = ?")
            .bind(user_id)
            .bind(org_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The user when the password is right. Takes as long for unknown addresses.
    pub async fn login(&self, email: &str, password: &str) -> Result<Option<User>> {
        let row =
            sqlx::query("SELECT id, email, site_admin, password_hash FROM users WHERE email = ?")
                .bind(email.trim())
                .fetch_optional(self.pool())
                .await?;
        let stored = row
            .as_ref()
            .map(|r| r.get::<String, _>("password_hash"))
            .unwrap_or_else(|| password::dummy_hash().to_owned());
        let given = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || password::verify(&given, &stored))
            .await
            .unwrap_or(false);
        Ok(row.filter(|_| ok).map(|r| User {
            id: r.get("id"),
            email: r.get("email"),
            site_admin: r.get("site_admin"),
        }))
    }

    /// The principal of a logged-in user: their organisations and roles.
    pub async fn principal_for_user(&self, user_id: i64) -> Result<Option<Principal>> {
        let Some(user) = sqlx::query("SELECT email, site_admin FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT o.*, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id
             WHERE m.user_id = ? ORDER BY o.name",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        let memberships = rows
            .iter()
            .filter_map(|row| {
                let role = Role::parse(row.get::<&str, _>("role")).ok()?;
                Some((super::organisation_from_row(row), role))
            })
            .collect();
        Ok(Some(Principal {
            actor: user.get("email"),
            user_id: Some(user_id),
            site_admin: user.get("site_admin"),
            memberships,
        }))
    }

    /// The organisation's members and their roles.
    pub async fn members(&self, org_id: i64) -> Result<Vec<(User, Role)>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.site_admin, m.role FROM memberships m
             JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY u.email",
        )
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let role = Role::parse(row.get::<&str, _>("role")).ok()?;
                let user = User {
                    id: row.get("id"),
                    email: row.get("email"),
                    site_admin: row.get("site_admin"),
                };
                Some((user, role))
            })
            .collect())
    }

    /// An invitation to join `org`; the returned secret goes into the link passed on.
    pub async fn invite(&self, org_id: i64, email: &str, role: Role, by: &str) -> Result<String> {
        let email = normalize_email(email)?;
        let secret = random_secret("inv_");
        sqlx::query(
            "INSERT INTO invitations (org_id, email, role, secret_hash, created_by, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(org_id)
        .bind(&email)
        .bind(role.as_str())
        .bind(secret_digest(&secret))
        .bind(by)
        .bind(now())
        .bind(now() + INVITATION_DAYS * 86_400)
        .execute(self.pool())
        .await?;
        Ok(secret)
    }

    /// The open invitation behind a link: (organisation, e-mail, role).
    pub async fn invitation(&self, secret: &str) -> Result<Option<(Organisation, String, Role)>> {
        let row = sqlx::query(
            "SELECT i.email, i.role, o.* FROM invitations i JOIN organisations o ON o.id = i.org_id
             WHERE i.secret_hash = ? AND i.used_at IS NULL AND i.expires_at > ?",
        )
        .bind(secret_digest(secret))
        .bind(now())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|row| {
            let role = Role::parse(row.get::<&str, _>("role")).ok()?;
            Some((super::organisation_from_row(&row), row.get("email"), role))
        }))
    }

    /// Accepts an invitation: creates the user (or adds the role to an existing one).
    pub async fn accept_invitation(&self, secret: &str, password: &str) -> Result<User> {
        let (org, email, role) = self.invitation(secret).await?.ok_or_else(|| {
            AccountsError::Invalid("the invitation is unknown, used or expired".into())
        })?;
        let user = match self.user(&email).await {
            Ok(user) => {
                self.grant(&email, &org, role).await?;
                user
            }
            Err(AccountsError::UnknownUser(_)) => {
                self.add_user(&email, password, Some((&org, role)), false)
                    .await?
            }
            Err(e) => return Err(e),
        };
        sqlx::query("UPDATE invitations SET used_at = ? WHERE secret_hash = ?")
            .bind(now())
            .bind(secret_digest(secret))
            .execute(self.pool())
            .await?;
        Ok(user)
    }

    pub async fn open_invitations(&self, org_id: i64) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(
            "SELECT id, email, role, expires_at FROM invitations
             WHERE org_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY id DESC",
        )
        .bind(org_id)
        .bind(now())
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|row| Invitation {
                id: row.get("id"),
                email: row.get("email"),
                role: row.get("role"),
                expires_at: row.get("expires_at"),
            })
            .collect())
    }
}

async fn set_role(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    user_id: i64,
    org_id: i64,
    role: Role,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)
         ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
    )
    .bind(user_id)
    .bind(org_id)
    .bind(role.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim();
    let valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.contains(char::is_whitespace);
    if valid {
        Ok(email.to_owned())
    } else {
        Err(AccountsError::Invalid(format!(
            "{email:?} is not an e-mail address"
        )))
    }
}

/// Argon2 takes tens of milliseconds of CPU: off the async threads.
async fn hash_blocking(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| AccountsError::Hash(e.to_string()))?
}
