//! `katalog org|user|token`: bootstrap and manage accounts without the web. A running server
//! sees the changes at once (it reads the accounts database on every request).
use super::CliResult;
use crate::accounts::{Accounts, Role};
use clap::Subcommand;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

/// The data directory only: accounts live beside the RDF store, which these commands leave
/// alone (so they work while the server runs).
#[derive(clap::Args, Debug, Clone)]
pub struct DataArg {
    /// Directory of the store (the accounts database is `accounts.sqlite` in it).
    #[arg(long, env = "KATALOG_DATA", default_value = "katalog-data")]
    pub data: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
    /// Add an organisation.
    Add {
        #[command(flatten)]
        data: DataArg,
        /// Swedish organisation number (ten digits, check digit verified).
        #[arg(long)]
        orgnr: String,
        #[arg(long)]
        name: String,
        /// Publisher IRI (default http://dataportal.se/organisation/SE<orgnr>).
        #[arg(long)]
        publisher: Option<String>,
        /// A base of its own for the organisation's record IRIs.
        #[arg(long)]
        uri_space: Option<String>,
    },
    /// List organisations.
    List {
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user to an organisation (password from a prompt or --password-stdin).
    Add {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        email: String,
        /// admin (manages users and tokens) or editor (publishes).
        #[arg(long, default_value = "editor")]
        role: String,
        /// Make the user a site administrator (all organisations).
        #[arg(long)]
        site_admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password.
    Passwd {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List an organisation's users.
    List {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        org: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token; prints the token alone on standard output (shown only once).
    Create {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        org: String,
        #[arg(long)]
        expires_days: Option<u32>,
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List an organisation's tokens (never the secrets).
    List {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        org: String,
    },
    /// Revoke a token by its number.
    Revoke {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        org: String,
        id: i64,
    },
}

fn with_accounts<F, Fut>(data: &DataArg, f: F) -> CliResult
where
    F: FnOnce(Accounts) -> Fut,
    Fut: std::future::Future<Output = CliResult>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let accounts = Accounts::open(&data.data).await?;
        f(accounts).await
    })
}

pub fn org(command: OrgCommand) -> CliResult {
    match command {
        OrgCommand::Add {
            data,
            orgnr,
            name,
            publisher,
            uri_space,
        } => with_accounts(&data, |a| async move {
            let org = a
                .add_organisation(&orgnr, &name, publisher.as_deref(), uri_space.as_deref())
                .await?;
            eprintln!(
                "added {} ({}), publisher <{}>",
                org.name, org.orgnr, org.publisher_iri
            );
            Ok(())
        }),
        OrgCommand::List { data } => with_accounts(&data, |a| async move {
            for org in a.organisations().await? {
                println!("{}\t{}\t{}", org.orgnr, org.name, org.publisher_iri);
            }
            Ok(())
        }),
    }
}

pub fn user(command: UserCommand) -> CliResult {
    match command {
        UserCommand::Add {
            data,
            org,
            email,
            role,
            site_admin,
            password_stdin,
        } => with_accounts(&data, |a| async move {
            let role = Role::parse(&role)?;
            let org = match &org {
                Some(orgnr) => Some(a.organisation(orgnr).await?),
                None if site_admin => None,
                None => return Err("--org is needed (or --site-admin)".into()),
            };
            let password = read_password(password_stdin)?;
            let user = a
                .add_user(
                    &email,
                    &password,
                    org.as_ref().map(|o| (o, role)),
                    site_admin,
                )
                .await?;
            eprintln!("added user {}", user.email);
            Ok(())
        }),
        UserCommand::Passwd {
            data,
            email,
            password_stdin,
        } => with_accounts(&data, |a| async move {
            let password = read_password(password_stdin)?;
            a.set_password(&email, &password).await?;
            eprintln!("password of {email} changed");
            Ok(())
        }),
        UserCommand::List { data, org } => with_accounts(&data, |a| async move {
            let org = a.organisation(&org).await?;
            for (user, role) in a.members(org.id).await? {
                println!("{}\t{}", user.email, role.as_str());
            }
            Ok(())
        }),
    }
}

pub fn token(command: TokenCommand) -> CliResult {
    match command {
        TokenCommand::Create {
            data,
            org,
            expires_days,
            label,
        } => with_accounts(&data, |a| async move {
            let org = a.organisation(&org).await?;
            let (secret, id) = a
                .create_token(org.id, &label, "command line", expires_days)
                .await?;
            eprintln!(
                "token #{id} for {} ({}); it is shown only now",
                org.name, org.orgnr
            );
            println!("{secret}");
            Ok(())
        }),
        TokenCommand::List { data, org } => with_accounts(&data, |a| async move {
            let org = a.organisation(&org).await?;
            for t in a.tokens(org.id).await? {
                let state = if t.active() { "active" } else { "inactive" };
                let expires = t
                    .expires_at
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| "never".into());
                println!("#{}\t{state}\texpires {expires}\t{}", t.id, t.label);
            }
            Ok(())
        }),
        TokenCommand::Revoke { data, org, id } => with_accounts(&data, |a| async move {
            let org = a.organisation(&org).await?;
            a.revoke_token(org.id, id).await?;
            eprintln!("token #{id} revoked");
            Ok(())
        }),
    }
}

fn read_password(from_stdin: bool) -> Result<String, Box<dyn std::error::Error>> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Again: ")?;
    if first != again {
        return Err("the passwords differ".into());
    }
    Ok(first)
}
