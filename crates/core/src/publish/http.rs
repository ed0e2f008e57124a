//! The requests of `publish`, sent with oxhttp's client: one request per
//! connection, each body whole in memory and sent with its `Content-Length`.
//!
//! Not streamed in chunks: Virtuoso 7 takes a chunked request body for an
//! empty one. It answers `PUT` with `204 No Content` (the graph emptied) and
//! a SPARQL update with `200` (nothing done) before the body has arrived,
//! and closes the connection, so a large body breaks off with "connection
//! reset by peer". Callers keep bodies bounded by sending in batches.
//!
//! Only `http://` endpoints are reached: oxhttp reaches `https://` ones only
//! with one of its TLS features, which would compile a TLS stack into every
//! build for what an SSH tunnel or a local TLS proxy gives (see the README).

use base64::Engine as _;
use oxhttp::model::{Body, Method, Request};
use oxhttp::Client;
use std::io;

/// Where requests go: an `http://` URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// `http://host[:port]`, without credentials.
    pub origin: String,
    /// `host[:port]` (the port when not 80), for messages.
    pub address: String,
    /// Path and query, as sent in the request line (at least `/`).
    pub target: String,
    /// `user:password` from the URL, sent as HTTP Basic authentication.
    pub credentials: Option<String>,
}

/// Why an address is not one requests can go to.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    #[error(
        "https is not supported: factgraph speaks plain HTTP; give an http:// address \
         (for a remote server, through an SSH tunnel or a local TLS proxy)"
    )]
    Https,
    #[error("expected an address like http://localhost:7878/store")]
    NotHttp,
    #[error("{0}")]
    Invalid(#[from] url::ParseError),
}

impl Url {
    /// Parses `http://[user:password@]host[:port][/path][?query]`.
    ///
    /// ```
    /// use factgraph_core::publish::http::Url;
    /// let url = Url::parse("http://me:secret@localhost:7878/store").unwrap();
    /// assert_eq!((url.origin.as_str(), url.target.as_str()), ("http://localhost:7878", "/store"));
    /// assert_eq!(url.credentials.as_deref(), Some("me:secret"));
    /// assert!(Url::parse("https://example.org/store").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        match text.split_once("://") {
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("http") => {}
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("https") => return Err(UrlError::Https),
            _ => return Err(UrlError::NotHttp),
        }
        let url = url::Url::parse(text)?;
        let host = url.host_str().ok_or(url::ParseError::EmptyHost)?;
        let address = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, password) => Some(format!("{}:{}", decode(user), decode(password.unwrap_or_default()))),
        };
        Ok(Self {
            origin: url.origin().ascii_serialization(),
            address,
            target: url[url::Position::BeforePath..url::Position::AfterQuery].to_owned(),
            credentials,
        })
    }

    /// The target with one more query parameter.
    pub fn with_query(&self, parameter: &str) -> String {
        let separator = if self.target.contains('?') { '&' } else { '?' };
        format!("{}{separator}{parameter}", self.target)
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters, for query values.
pub fn percent_encode(text: &str) -> String {
    const NOT_UNRESERVED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// What a server answered.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The status code's standard reason phrase.
    pub reason: String,
    /// The body as text (lossy), for messages to people.
    pub body: String,
    /// The media type of the body, without its parameters.
    pub content_type: Option<String>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request did not get an answer.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("cannot connect to {address}: {cause}")]
    Connect { address: String, cause: io::Error },
    #[error("the connection to {address} broke: {cause}")]
    Broken { address: String, cause: io::Error },
    #[error("{address} gave no valid HTTP answer: {cause}")]
    Answer { address: String, cause: io::Error },
    #[error("{address}: the request cannot be made: {cause}")]
    Request { address: String, cause: oxhttp::model::Error },
}

/// Sends one request with `body` (its `Content-Length` in the head) and
/// reads the answer.
pub fn send(
    url: &Url,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<Response, RequestError> {
    let address = url.address.clone();
    let head = request(url, method, target, headers)
        .map_err(|cause| RequestError::Request { address: address.clone(), cause })?;
    answer(head.map(|()| Body::from(body))).map_err(|cause| failure(address, cause))
}

/// Sends a request without a body (a `GET`) and reads the answer.
pub fn get(url: &Url, target: &str, headers: &[(&str, &str)]) -> Result<Response, RequestError> {
    let address = url.address.clone();
    let head = request(url, "GET", target, headers)
        .map_err(|cause| RequestError::Request { address: address.clone(), cause })?;
    answer(head.map(|()| Body::empty())).map_err(|cause| failure(address, cause))
}

/// Where a request failed, from the kind of its error.
fn failure(address: String, cause: io::Error) -> RequestError {
    match cause.kind() {
        io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound | io::ErrorKind::TimedOut => {
            RequestError::Connect { address, cause }
        }
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => {
            RequestError::Broken { address, cause }
        }
        _ => RequestError::Answer { address, cause },
    }
}

/// The request without its body (which cannot go to another thread).
fn request(
    url: &Url,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> Result<Request<()>, oxhttp::model::Error> {
    let method = Method::from_bytes(method.as_bytes())?;
    let mut request = Request::builder().method(method).uri(format!("{}{target}", url.origin));
    if let Some(credentials) = &url.credentials {
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        request = request.header("Authorization", format!("Basic {encoded}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(())
}

/// Sends the request and reads the whole answer.
fn answer(request: Request<Body>) -> io::Result<Response> {
    let user_agent = concat!("factgraph/", env!("CARGO_PKG_VERSION"));
    let client = Client::new().with_user_agent(user_agent).map_err(io::Error::other)?;
    let response = client.request(request)?;
    let status = response.status();
    let content_type = response
        .headers()
        .get("Content-Type")
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    Ok(Response {
        content_type,
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or_default().to_owned(),
        body: String::from_utf8_lossy(&response.into_body().to_vec()?).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_their_query_and_ipv6_hosts() {
        let url = Url::parse("http://[::1]:3030/ds/data?x=1").unwrap();
        assert_eq!((url.origin.as_str(), url.address.as_str()), ("http://[::1]:3030", "[::1]:3030"));
        assert_eq!(url.with_query("default"), "/ds/data?x=1&default");
        let bare = Url::parse("http://example.org").unwrap();
        assert_eq!((bare.address.as_str(), bare.target.as_str()), ("example.org", "/"));
        assert!(Url::parse("http://host:port/").is_err());
        assert!(matches!(Url::parse("localhost:7878"), Err(UrlError::NotHttp)));
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let url = Url::parse("http://me%40home:p%3Ass@localhost/store").unwrap();
        assert_eq!(url.credentials.as_deref(), Some("me@home:p:ss"));
        assert_eq!(url.origin, "http://localhost");
    }

    #[test]
    fn graph_iris_are_percent_encoded() {
        assert_eq!(percent_encode("http://ex.org/g#1"), "http%3A%2F%2Fex.org%2Fg%231");
    }

    /// The head of one request sent to a listener that answers `204`.
    fn request_head(method: &str, body: Vec<u8>) -> String {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!("http://{}/store", listener.local_addr().unwrap())).unwrap();
        let server = std::thread::spawn(move || {
            let (connection, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(connection.try_clone().unwrap());
            let mut head = String::new();
            while reader.read_line(&mut head).unwrap() > 2 {}
            let mut connection = connection;
            connection.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").unwrap();
            head.to_ascii_lowercase()
        });
        let response =
            send(&url, method, "/store?default", &[("Content-Type", "application/n-triples")], body).unwrap();
        assert_eq!(response.status, 204);
        server.join().unwrap()
    }

    #[test]
    fn bodies_go_with_their_length_never_chunked() {
        // Virtuoso 7 reads a chunked body as an empty one.
        let head = request_head("PUT", b"<ex:a> <ex:b> <ex:c> .\n".to_vec());
        assert!(head.starts_with("put /store?default http/1.1"), "{head}");
        assert!(head.contains("content-length: 23\r\n"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
        let head = request_head("POST", Vec::new());
        assert!(head.contains("content-length: 0\r\n") && !head.contains("chunked"), "{head}");
    }
}
