//! The requests of `publish`, sent with oxhttp's client: one request per
//! connection, its body streamed in chunks while the caller writes it.
//!
//! Only `http://` endpoints are reached: oxhttp reaches `https://` ones only
//! with one of its TLS features, which would compile a TLS stack into every
//! build for what an SSH tunnel or a local TLS proxy gives (see the README).

use base64::Engine as _;
use oxhttp::model::{Body, Method, Request};
use oxhttp::Client;
use std::io::{self, BufWriter, Read, Write};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

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
    #[error("the connection to {address} broke while sending: {cause}")]
    Send { address: String, cause: io::Error },
    #[error("{address} gave no valid HTTP answer: {cause}")]
    Answer { address: String, cause: io::Error },
    #[error("{address}: the request cannot be made: {cause}")]
    Request { address: String, cause: oxhttp::model::Error },
}

/// Sends one request whose body `write_body` streams, in chunks, and reads
/// the answer. When `write_body` fails, the body is left unfinished, so no
/// server takes the truncated body for a whole one.
///
/// The client runs on a thread of its own and reads the body from a
/// bounded channel while `write_body` writes it here: oxhttp's client pulls
/// a body (it takes a [`Read`]), and the caller's writer borrows what it
/// sends, so neither can run inside the other.
pub fn send(
    url: &Url,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    write_body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Response, RequestError> {
    let address = url.address.clone();
    let head = request(url, method, target, headers)
        .map_err(|cause| RequestError::Request { address: address.clone(), cause })?;
    let (pieces, receiver) = sync_channel(4);
    let body = BodyReader::new(receiver);
    let progress = Arc::clone(&body.progress);
    let (written, answered) = std::thread::scope(|scope| {
        let client = scope.spawn(move || answer(head.map(|()| Body::from_read(body))));
        let mut writer = BufWriter::with_capacity(1 << 16, BodyWriter { pieces: pieces.clone() });
        let written = write_body(&mut writer).and_then(|()| writer.flush());
        drop(writer);
        // The end of the body, or its failure: the client then sends the
        // last chunk, or drops the connection.
        let _ = pieces.send(if written.is_ok() { Piece::End } else { Piece::Failed });
        drop(pieces);
        let answered = client.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (written, answered)
    });
    answered.map_err(|cause| match progress.load(Ordering::Acquire) {
        NOT_STARTED => RequestError::Connect { address, cause },
        SENDING => RequestError::Send { address, cause },
        FAILED => RequestError::Send { address, cause: written.err().unwrap_or(cause) },
        _ => RequestError::Answer { address, cause },
    })
}

/// Sends a request without a body (a `GET`) and reads the answer.
pub fn get(url: &Url, target: &str, headers: &[(&str, &str)]) -> Result<Response, RequestError> {
    let address = url.address.clone();
    let head = request(url, "GET", target, headers)
        .map_err(|cause| RequestError::Request { address: address.clone(), cause })?;
    answer(head.map(|()| Body::empty())).map_err(|cause| match cause.kind() {
        io::ErrorKind::ConnectionRefused | io::ErrorKind::NotFound | io::ErrorKind::TimedOut => {
            RequestError::Connect { address, cause }
        }
        _ => RequestError::Answer { address, cause },
    })
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

/// What the writer hands the client.
enum Piece {
    Bytes(Vec<u8>),
    End,
    Failed,
}

/// How far the client has read the body: whether it connected, and whether
/// it sent the whole body or the writer failed, tell where a failed request
/// broke.
const NOT_STARTED: u8 = 0;
const SENDING: u8 = 1;
const SENT: u8 = 2;
const FAILED: u8 = 3;

/// The body as the client reads it.
struct BodyReader {
    pieces: Receiver<Piece>,
    piece: Vec<u8>,
    at: usize,
    progress: Arc<AtomicU8>,
}

impl BodyReader {
    fn new(pieces: Receiver<Piece>) -> Self {
        Self { pieces, piece: Vec::new(), at: 0, progress: Arc::new(AtomicU8::new(NOT_STARTED)) }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self.progress.load(Ordering::Acquire) {
            SENT => return Ok(0),
            FAILED => return Err(io::Error::other("the body could not be written whole")),
            _ => {}
        }
        self.progress.store(SENDING, Ordering::Release);
        while self.at == self.piece.len() {
            match self.pieces.recv() {
                Ok(Piece::Bytes(bytes)) => (self.piece, self.at) = (bytes, 0),
                Ok(Piece::End) => {
                    self.progress.store(SENT, Ordering::Release);
                    return Ok(0);
                }
                // An error leaves the chunked body without its last chunk.
                Ok(Piece::Failed) | Err(_) => {
                    self.progress.store(FAILED, Ordering::Release);
                    return Err(io::Error::other("the body could not be written whole"));
                }
            }
        }
        let length = buffer.len().min(self.piece.len() - self.at);
        buffer[..length].copy_from_slice(&self.piece[self.at..self.at + length]);
        self.at += length;
        Ok(length)
    }
}

/// The body as the caller writes it; a `BufWriter` in front makes the pieces large.
struct BodyWriter {
    pieces: SyncSender<Piece>,
}

impl Write for BodyWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if !bytes.is_empty() {
            // The client has stopped reading: its error tells why.
            self.pieces.send(Piece::Bytes(bytes.to_vec())).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
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

    #[test]
    fn a_body_is_read_whole_and_a_failed_one_is_an_error() {
        let (pieces, receiver) = sync_channel(4);
        for piece in [Piece::Bytes(b"ab".to_vec()), Piece::Bytes(b"c".to_vec()), Piece::End] {
            pieces.send(piece).unwrap();
        }
        let mut text = String::new();
        BodyReader::new(receiver).read_to_string(&mut text).unwrap();
        assert_eq!(text, "abc");

        let (pieces, receiver) = sync_channel(4);
        pieces.send(Piece::Bytes(b"ab".to_vec())).unwrap();
        pieces.send(Piece::Failed).unwrap();
        assert!(BodyReader::new(receiver).read_to_string(&mut String::new()).is_err());
    }
}
