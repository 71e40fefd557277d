//! HTTP fetching that refuses private, loopback and link-local addresses unless configured,
//! and checks every redirect hop the same way, so a URL given by a user cannot reach the
//! server's own network.
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}: not an http(s) URL")]
    Scheme(String),
    #[error("{url} resolves to {addr}, a private or local address (allow with --allow-private)")]
    Private { url: String, addr: IpAddr },
    #[error("{0}: cannot resolve the host")]
    Resolve(String),
    #[error("{0}: too many redirects")]
    Redirects(String),
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url}: the document is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
}

pub struct Fetched {
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    /// The body, unless it was written to a file ([`Fetcher::get_to_file`]).
    pub body: Vec<u8>,
    /// The body's length in bytes.
    pub size: usize,
    /// The validators to send next time (conditional GET).
    pub validators: Validators,
}

/// `ETag` and `Last-Modified` of a fetched document, sent back as `If-None-Match` and
/// `If-Modified-Since` so an unchanged source answers 304 without a body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub struct Fetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
}

/// What a fetcher may reach and read.
#[derive(Clone, Debug)]
pub struct FetchPolicy {
    /// Every private and loopback address may be reached (tests; a site inside a closed
    /// network).
    pub allow_private: bool,
    /// Hosts (as the URL names them: a name or an address) that may be private while every
    /// other host must be public: an intranet source, allowed alone.
    pub private_hosts: Vec<String>,
    /// The largest document read; a larger one is cut off and refused.
    pub max_bytes: usize,
    /// Bytes of a source's pages a run holds in memory; past them it keeps the source on
    /// disk (see `harvest::spool`).
    pub hold_bytes: u64,
    /// Where a run keeps a source past `hold_bytes` (the data directory's `harvest` folder:
    /// on disk, where the system's temporary folder may be memory); None: that folder.
    pub spool_dir: Option<std::path::PathBuf>,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow_private: false,
            private_hosts: Vec::new(),
            max_bytes: MAX_DOCUMENT_BYTES,
            hold_bytes: super::spool::HOLD_BYTES,
            spool_dir: None,
        }
    }
}

impl FetchPolicy {
    fn allows_private(&self, host: &str) -> bool {
        let host = host.trim_matches(['[', ']']);
        self.allow_private
            || self
                .private_hosts
                .iter()
                .any(|h| h.trim_matches(['[', ']']).eq_ignore_ascii_case(host))
    }
}

const MAX_REDIRECTS: usize = 5;

/// Largest document fetched: ample for the whole catalogue of a large agency in RDF/XML, and
/// read in parts so that a server sending without end is cut off here.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024 * 1024;

/// Addresses a fetch must not reach unless allowed.
pub fn is_private(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => {
            v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast()
                // 100.64.0.0/10, carrier-grade NAT
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xC0) == 64)
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local
                || (v6.segments()[0] & 0xffc0) == 0xfe80 // link local
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// Makes ring the process's TLS provider (rustls, for every reqwest client), unless one
/// is installed already. Call before building a client.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Resolves host names to public addresses only: the address checked is the address
/// connected to, so a name cannot resolve to a public address for the check and to a
/// private one for the connection (DNS rebinding).
/// Hosts the policy allows to be private resolve to every address they have.
struct PublicOnly(FetchPolicy);

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let any = self.0.allows_private(name.as_str());
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| any || !is_private(a.ip())).collect();
            if public.is_empty() {
                let message = format!("{} has no public address", name.as_str());
                return Err(message.into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl Fetcher {
    pub fn new(allow_private: bool) -> Self {
        Self::with_policy(FetchPolicy {
            allow_private,
            ..FetchPolicy::default()
        })
    }

    pub fn with_policy(policy: FetchPolicy) -> Self {
        install_tls_provider();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(30))
            .user_agent(concat!("katalog/", env!("CARGO_PKG_VERSION")));
        if !policy.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly(policy.clone())));
        }
        let client = builder.build().expect("HTTP client builds");
        Self { client, policy }
    }

    async fn check_host(&self, url: &reqwest::Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme(url.to_string()));
        }
        let host = url
            .host_str()
            .ok_or_else(|| FetchError::Resolve(url.to_string()))?;
        if self.policy.allows_private(host) {
            return Ok(());
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|_| FetchError::Resolve(url.to_string()))?;
        for addr in addrs {
            if is_private(addr.ip()) {
                return Err(FetchError::Private {
                    url: url.to_string(),
                    addr: addr.ip(),
                });
            }
        }
        Ok(())
    }

    /// GETs a URL with `Accept`, following redirects that pass the same checks.
    /// Bytes of a source's pages a run holds in memory, and where it keeps them past that
    /// (see [`FetchPolicy::hold_bytes`]).
    pub fn spool_policy(&self) -> (u64, Option<&std::path::Path>) {
        (self.policy.hold_bytes, self.policy.spool_dir.as_deref())
    }

    pub async fn get(&self, url: &str, accept: &str) -> Result<Fetched, FetchError> {
        self.get_if_changed(url, accept, &Validators::default())
            .await
    }

    /// Like [`Fetcher::get`], sending the validators of the last fetch: a 304 comes back as
    /// it is (status 304, empty body).
    pub async fn get_if_changed(
        &self,
        url: &str,
        accept: &str,
        last: &Validators,
    ) -> Result<Fetched, FetchError> {
        self.fetch(url, accept, last, None).await
    }

    /// Like [`Fetcher::get_if_changed`], the body written to `file` as it arrives rather than
    /// held (`Fetched::body` stays empty): a source's catalogue of any size passes through
    /// little memory.
    pub async fn get_to_file(
        &self,
        url: &str,
        accept: &str,
        last: &Validators,
        file: &std::path::Path,
    ) -> Result<Fetched, FetchError> {
        self.fetch(url, accept, last, Some(file)).await
    }

    async fn fetch(
        &self,
        url: &str,
        accept: &str,
        last: &Validators,
        file: Option<&std::path::Path>,
    ) -> Result<Fetched, FetchError> {
        let mut current =
            reqwest::Url::parse(url).map_err(|_| FetchError::Scheme(url.to_owned()))?;
        for _ in 0..=MAX_REDIRECTS {
            self.check_host(&current).await?;
            let http = |e: reqwest::Error| FetchError::Http {
                url: current.to_string(),
                message: e.to_string(),
            };
            let mut request = self.client.get(current.clone()).header("accept", accept);
            if let Some(etag) = &last.etag {
                request = request.header("if-none-match", etag);
            }
            if let Some(date) = &last.last_modified {
                request = request.header("if-modified-since", date);
            }
            let response = request.send().await.map_err(http)?;
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let validators = Validators {
                etag: header("etag"),
                last_modified: header("last-modified"),
            };
            if response.status() == reqwest::StatusCode::NOT_MODIFIED {
                return Ok(Fetched {
                    url: current.to_string(),
                    status: 304,
                    content_type: None,
                    body: Vec::new(),
                    size: 0,
                    validators: Validators {
                        etag: validators.etag.or_else(|| last.etag.clone()),
                        last_modified: validators
                            .last_modified
                            .or_else(|| last.last_modified.clone()),
                    },
                });
            }
            if response.status().is_redirection() {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| current.join(l).ok())
                    .ok_or_else(|| FetchError::Http {
                        url: current.to_string(),
                        message: "redirect without Location".into(),
                    })?;
                current = location;
                continue;
            }
            let status = response.status().as_u16();
            let content_type = header("content-type");
            let limit = self.policy.max_bytes;
            let mut body = Body::new(file).await.map_err(|e| FetchError::Http {
                url: current.to_string(),
                message: format!("cannot write the body down: {e}"),
            })?;
            let size = read_bounded(response, limit, &mut body)
                .await
                .map_err(|e| match e {
                    Bounded::Http(e) => http(e),
                    Bounded::Write(e) => FetchError::Http {
                        url: current.to_string(),
                        message: format!("cannot write the body down: {e}"),
                    },
                    Bounded::TooLarge => FetchError::TooLarge {
                        url: current.to_string(),
                        limit,
                    },
                })?;
            return Ok(Fetched {
                url: current.to_string(),
                status,
                content_type,
                body: body.into_memory(),
                size,
                validators,
            });
        }
        Err(FetchError::Redirects(url.to_owned()))
    }
}

enum Bounded {
    Http(reqwest::Error),
    Write(std::io::Error),
    TooLarge,
}

/// Where a body goes as it arrives: memory, or a file.
enum Body {
    Memory(Vec<u8>),
    File(tokio::io::BufWriter<tokio::fs::File>),
}

impl Body {
    async fn new(file: Option<&std::path::Path>) -> std::io::Result<Self> {
        Ok(match file {
            None => Self::Memory(Vec::new()),
            Some(path) => Self::File(tokio::io::BufWriter::with_capacity(
                1 << 18,
                tokio::fs::File::create(path).await?,
            )),
        })
    }

    async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        match self {
            Self::Memory(body) => body.extend_from_slice(chunk),
            Self::File(file) => file.write_all(chunk).await?,
        }
        Ok(())
    }

    async fn finish(&mut self) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt;
        match self {
            Self::Memory(_) => Ok(()),
            Self::File(file) => file.flush().await,
        }
    }

    fn into_memory(self) -> Vec<u8> {
        match self {
            Self::Memory(body) => body,
            Self::File(_) => Vec::new(),
        }
    }
}

/// Reads the body into `body`, refusing one longer than `limit`; its length.
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
    body: &mut Body,
) -> Result<usize, Bounded> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(Bounded::TooLarge);
    }
    let mut size = 0;
    while let Some(chunk) = response.chunk().await.map_err(Bounded::Http)? {
        if size + chunk.len() > limit {
            return Err(Bounded::TooLarge);
        }
        size += chunk.len();
        body.write(&chunk).await.map_err(Bounded::Write)?;
    }
    body.finish().await.map_err(Bounded::Write)?;
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "100.64.0.1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(a.parse().unwrap()), "{a}");
        }
        for a in ["193.10.0.1", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_private(a.parse().unwrap()), "{a}");
        }
    }
}
