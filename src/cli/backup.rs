//! `katalog backup` and `katalog restore`.
use super::CliResult;
use crate::store::Catalogue;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The new directory to write the backup into (with --server: the backup's name under
    /// the server's --backup-dir; by default the time).
    dir: Option<PathBuf>,
    /// Data directory to back up directly (the server must be stopped; else use --server).
    #[arg(long, env = "KATALOG_DATA", default_value = "katalog-data")]
    data: PathBuf,
    /// The running server to ask for the backup, e.g. http://127.0.0.1:8080 (it writes the
    /// directory on its machine); needs the site administrator's token.
    #[arg(long)]
    server: Option<String>,
    /// The site administrator's token (for --server).
    #[arg(long, env = "KATALOG_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// A directory written by `katalog backup`.
    backup: PathBuf,
    /// The new data directory to restore into (must not exist, or be empty).
    #[arg(long, env = "KATALOG_DATA", default_value = "katalog-data")]
    data: PathBuf,
}

pub fn backup(args: BackupArgs) -> CliResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let dir = match (args.server, args.dir) {
        (Some(server), name) => {
            let name = name.map(|n| n.to_string_lossy().into_owned());
            runtime.block_on(through_server(&server, args.admin_token, name))?
        }
        (None, None) => return Err("give the directory to write the backup into".into()),
        (None, Some(dir)) => runtime.block_on(async {
            let dir = std::path::absolute(dir)?;
            let catalogue = Catalogue::open(&args.data)?;
            let accounts = crate::accounts::Accounts::open(&args.data).await?;
            let cache_file = args.data.join(crate::feeds::cache::CACHE_FILE);
            let cache = match cache_file.exists() {
                true => Some(crate::feeds::cache::FeedCache::open(&cache_file)?),
                false => None,
            };
            let hosted = args.data.join(crate::data::HOSTED_DIR);
            let files = match hosted.exists() {
                true => Some(crate::data::Files::open(&hosted)?),
                false => None,
            };
            let (cache, files) = (cache.as_ref(), files.as_ref());
            crate::backup::backup(&catalogue, Some(&accounts), cache, files, &dir).await?;
            Ok::<_, Box<dyn std::error::Error>>(dir.display().to_string())
        })?,
    };
    println!("backup written to {dir}");
    Ok(())
}

/// Asks the server for a backup; the directory it wrote.
async fn through_server(
    server: &str,
    token: Option<String>,
    name: Option<String>,
) -> Result<String, Box<dyn std::error::Error>> {
    let token = token.ok_or("--server needs the site administrator's token (--admin-token)")?;
    crate::harvest::install_tls_provider();
    let url = format!("{}/admin/backup", server.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(token)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await?;
    if !response.status().is_success() {
        let status = response.status();
        return Err(format!("{url}: {status}: {}", response.text().await?).into());
    }
    let answer: serde_json::Value = response.json().await?;
    Ok(answer["directory"].as_str().unwrap_or_default().to_owned())
}

pub fn restore(args: RestoreArgs) -> CliResult {
    crate::backup::restore(&args.backup, &args.data)?;
    println!(
        "restored {} into {}; serve it with katalog serve --data {}",
        args.backup.display(),
        args.data.display(),
        args.data.display()
    );
    Ok(())
}
