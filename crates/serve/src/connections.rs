//! The endpoint's HTTP/1.1 connections: accepted on a thread of their own,
//! each served on a thread of its own, with a deadline for a request's head
//! and another for its body.
//!
//! Not oxhttp's server, whose model (the `http` crate's types) and parser
//! (httparse) this uses: its only limits are a timeout per read or write
//! call and a cap on connections, reached by no longer accepting. A client
//! that sends its head a byte at a time, each within the timeout, holds a
//! connection as long as it likes; 200 of them over the 64 connections it
//! allowed kept the endpoint from answering anyone for eight seconds. Here
//! the head must arrive whole within [`Limits::head`] and the body within
//! [`Limits::body`], whatever the pace of the reads, and a connection
//! waiting for them is a thread blocked on a read: a thousand of them cost
//! little. The work itself is bounded elsewhere: a query evaluates only
//! with a permit (one per core, [`super::permits`]), not per connection.

use oxhttp::model::header::{CONNECTION, CONTENT_LENGTH, EXPECT, HOST, TRANSFER_ENCODING};
use oxhttp::model::{Body, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri, Version};
use std::io::{self, BufWriter, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Largest request head (request line and headers) read.
const MAX_HEAD: usize = 16 * 1024;
/// Most header fields in a request.
const MAX_HEADERS: usize = 100;
/// How long the accepting thread waits after `accept` fails (out of file
/// descriptors, say) before it tries again, rather than spinning.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// What a connection may take.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest time for a request's head to arrive whole, from the moment
    /// the connection is ready for it (opened, or done with the request
    /// before): an idle kept-alive connection is closed after it too.
    pub head: Duration,
    /// Longest time for a request's body to arrive whole, once its head has.
    pub body: Duration,
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Longest time one write of an answer may wait for the client to read.
    pub write: Duration,
    /// Most connections open at once; further clients wait in the system's
    /// queue of the listening socket until one closes.
    pub connections: usize,
}

/// Answers one request; called on the connection's thread.
pub type Handler = dyn Fn(&mut Request<Body>) -> Response<Body> + Send + Sync;

/// Accepts connections on `listener` until the process ends.
pub fn serve(listener: TcpListener, limits: Limits, handler: Arc<Handler>) -> io::Result<JoinHandle<()>> {
    let open = Arc::new(Slots { taken: Mutex::new(0), freed: Condvar::new(), limit: limits.connections.max(1) });
    let limits = Arc::new(limits);
    std::thread::Builder::new().name("serve: accepting".into()).spawn(move || loop {
        let slot = Slots::take(&open);
        match listener.accept() {
            Ok((stream, _)) => {
                let (limits, handler) = (Arc::clone(&limits), Arc::clone(&handler));
                let spawned = std::thread::Builder::new().name("serve: connection".into()).spawn(move || {
                    let _slot = slot;
                    // A client that went away is no error of the endpoint's.
                    let _ = serve_connection(stream, &limits, &*handler);
                });
                if let Err(error) = spawned {
                    eprintln!("factgraph: serve: no thread for a connection: {error}");
                }
            }
            Err(error) => {
                drop(slot);
                if error.kind() != ErrorKind::ConnectionAborted {
                    eprintln!("factgraph: serve: cannot accept a connection: {error}");
                }
                std::thread::sleep(ACCEPT_RETRY);
            }
        }
    })
}

/// Open connections, counted against [`Limits::connections`].
struct Slots {
    taken: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

/// One connection's place; dropping it lets the next client in.
struct Slot(Arc<Slots>);

impl Slots {
    /// Waits until fewer than the limit are open.
    fn take(slots: &Arc<Self>) -> Slot {
        let taken = slots.taken.lock().unwrap_or_else(|e| e.into_inner());
        let mut taken = slots.freed.wait_while(taken, |taken| *taken >= slots.limit).unwrap_or_else(|e| e.into_inner());
        *taken += 1;
        Slot(Arc::clone(slots))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.taken.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        self.0.freed.notify_one();
    }
}

/// Why a request is not answered by the handler.
enum Refusal {
    /// The client closed the connection, or it failed: nothing to answer.
    Gone,
    /// Answered with this status and message, and the connection closed.
    Status(StatusCode, String),
}

impl From<io::Error> for Refusal {
    fn from(_: io::Error) -> Self {
        Refusal::Gone
    }
}

/// Requests on one connection, one after another, until the client closes
/// it or asks to, or a request is refused.
fn serve_connection(stream: TcpStream, limits: &Limits, handler: &Handler) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(limits.write))?;
    let mut connection = Connection { stream, unread: Vec::new() };
    loop {
        match connection.next_request(limits) {
            Ok(Some(mut request)) => {
                let keep_alive = keeps_alive(&request);
                let mut response = handler(&mut request);
                write_response(&connection.stream, &mut response, request.method() == Method::HEAD, keep_alive)?;
                if !keep_alive {
                    return connection.stream.shutdown(Shutdown::Both);
                }
            }
            Ok(None) | Err(Refusal::Gone) => return Ok(()),
            Err(Refusal::Status(status, message)) => {
                let mut response = Response::builder()
                    .status(status)
                    .header("content-type", "text/plain; charset=utf-8")
                    .body(Body::from(format!("{message}\n")))
                    .expect("a valid response");
                write_response(&connection.stream, &mut response, false, false)?;
                return connection.stream.shutdown(Shutdown::Both);
            }
        }
    }
}

/// A connection's socket and what was read from it but not yet used (the
/// start of a body, or of the next request).
struct Connection {
    stream: TcpStream,
    unread: Vec<u8>,
}

impl Connection {
    /// The next request, head and body; `None` when the client closed the
    /// connection between requests.
    fn next_request(&mut self, limits: &Limits) -> Result<Option<Request<Body>>, Refusal> {
        let deadline = Instant::now() + limits.head;
        let (mut request, length) = loop {
            if let Some(parsed) = parse_head(&self.unread)? {
                break parsed;
            }
            if self.unread.len() > MAX_HEAD {
                return Err(refused(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "the request head is over 16 KiB"));
            }
            match self.read_more(deadline, "head", limits.head) {
                Ok(0) if self.unread.is_empty() => return Ok(None),
                Ok(0) => return Err(Refusal::Gone),
                Ok(_) => {}
                Err(refusal) => return Err(refusal),
            }
        };
        self.unread.drain(..length);
        let framing = framing(&request, limits.max_body)?;
        if framing != Framing::Empty && continue_expected(&request) {
            self.stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let deadline = Instant::now() + limits.body;
        let body = match framing {
            Framing::Empty => Vec::new(),
            Framing::Length(length) => self.read_exactly(length, deadline, limits.body)?,
            Framing::Chunked => self.read_chunked(limits.max_body, deadline, limits.body)?,
        };
        *request.body_mut() = Body::from(body);
        Ok(Some(request))
    }

    /// Reads what the client sent next into `unread`, waiting at most until
    /// `deadline`; 0 when the client closed its side.
    fn read_more(&mut self, deadline: Instant, part: &str, limit: Duration) -> Result<usize, Refusal> {
        let timed_out = || refused(StatusCode::REQUEST_TIMEOUT, &format!("the request {part} took over {limit:?}"));
        let mut chunk = [0; 8192];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(timed_out());
            }
            self.stream.set_read_timeout(Some(left))?;
            match self.stream.read(&mut chunk) {
                Ok(read) => {
                    self.unread.extend_from_slice(&chunk[..read]);
                    return Ok(read);
                }
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Err(timed_out())
                }
                Err(_) => return Err(Refusal::Gone),
            }
        }
    }

    /// The next `length` bytes.
    fn read_exactly(&mut self, length: usize, deadline: Instant, limit: Duration) -> Result<Vec<u8>, Refusal> {
        while self.unread.len() < length {
            if self.read_more(deadline, "body", limit)? == 0 {
                return Err(Refusal::Gone);
            }
        }
        Ok(self.unread.drain(..length).collect())
    }

    /// A body in chunks (RFC 9112 section 7.1), joined; trailers are read
    /// and left out.
    fn read_chunked(&mut self, max_body: usize, deadline: Instant, limit: Duration) -> Result<Vec<u8>, Refusal> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line(deadline, limit)?;
            let size = match httparse::parse_chunk_size(&line) {
                Ok(httparse::Status::Complete((_, size))) => usize::try_from(size).unwrap_or(usize::MAX),
                _ => return Err(refused(StatusCode::BAD_REQUEST, "a chunk of the body has no valid size")),
            };
            if size == 0 {
                while !self.read_line(deadline, limit)?.trim_ascii().is_empty() {}
                return Ok(body);
            }
            if size > max_body - body.len() {
                return Err(too_large(max_body));
            }
            body.extend(self.read_exactly(size, deadline, limit)?);
            if !self.read_line(deadline, limit)?.trim_ascii().is_empty() {
                return Err(refused(StatusCode::BAD_REQUEST, "a chunk of the body is longer than its size"));
            }
        }
    }

    /// The next line of a chunked body, with its line end.
    fn read_line(&mut self, deadline: Instant, limit: Duration) -> Result<Vec<u8>, Refusal> {
        loop {
            if let Some(end) = self.unread.iter().position(|&b| b == b'\n') {
                return Ok(self.unread.drain(..=end).collect());
            }
            if self.unread.len() > MAX_HEAD {
                return Err(refused(StatusCode::BAD_REQUEST, "a line of the chunked body is over 16 KiB"));
            }
            if self.read_more(deadline, "body", limit)? == 0 {
                return Err(Refusal::Gone);
            }
        }
    }
}

fn refused(status: StatusCode, message: &str) -> Refusal {
    Refusal::Status(status, message.to_owned())
}

fn too_large(max_body: usize) -> Refusal {
    refused(StatusCode::PAYLOAD_TOO_LARGE, &format!("the request body is over {max_body} bytes"))
}

/// The request whose head `bytes` begins with, and the head's length;
/// `None` while the head is incomplete.
fn parse_head(bytes: &[u8]) -> Result<Option<(Request<Body>, usize)>, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let length = match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(refused(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "the request has over 100 headers"))
        }
        Err(error) => return Err(refused(StatusCode::BAD_REQUEST, &format!("the request head is malformed: {error}"))),
    };
    let bad = |what: &str| refused(StatusCode::BAD_REQUEST, &format!("the request's {what} is not valid"));
    let method = Method::from_bytes(parsed.method.unwrap_or_default().as_bytes()).map_err(|_| bad("method"))?;
    let uri = Uri::try_from(parsed.path.unwrap_or_default()).map_err(|_| bad("target"))?;
    let version = if parsed.version == Some(0) { Version::HTTP_10 } else { Version::HTTP_11 };
    let mut request =
        Request::builder().method(method).uri(uri).version(version).body(Body::empty()).map_err(|_| bad("head"))?;
    for header in parsed.headers.iter() {
        let name = HeaderName::from_bytes(header.name.as_bytes()).map_err(|_| bad("header name"))?;
        let value = HeaderValue::from_bytes(header.value).map_err(|_| bad("header value"))?;
        request.headers_mut().append(name, value);
    }
    if version == Version::HTTP_11 && !request.headers().contains_key(HOST) {
        return Err(refused(StatusCode::BAD_REQUEST, "an HTTP/1.1 request must have a Host header"));
    }
    Ok(Some((request, length)))
}

/// How a request's body is delimited.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(usize),
    Chunked,
}

fn framing(request: &Request<Body>, max_body: usize) -> Result<Framing, Refusal> {
    let headers = request.headers();
    let mut lengths = headers.get_all(CONTENT_LENGTH).iter();
    let length = lengths.next();
    let bad_length = || refused(StatusCode::BAD_REQUEST, "the Content-Length header is not one number");
    match (length, headers.get(TRANSFER_ENCODING)) {
        (Some(_), Some(_)) => {
            Err(refused(StatusCode::BAD_REQUEST, "a request has Content-Length or Transfer-Encoding, not both"))
        }
        (None, Some(coding)) if coding.as_bytes().eq_ignore_ascii_case(b"chunked") => Ok(Framing::Chunked),
        (None, Some(_)) => Err(refused(StatusCode::NOT_IMPLEMENTED, "the only transfer coding read is chunked")),
        (None, None) => Ok(Framing::Empty),
        (Some(length), None) => {
            if lengths.next().is_some_and(|other| other != length) {
                return Err(bad_length());
            }
            let length: usize = length.to_str().ok().and_then(|l| l.trim().parse().ok()).ok_or_else(bad_length)?;
            match length {
                0 => Ok(Framing::Empty),
                _ if length > max_body => Err(too_large(max_body)),
                _ => Ok(Framing::Length(length)),
            }
        }
    }
}

fn continue_expected(request: &Request<Body>) -> bool {
    request.version() == Version::HTTP_11
        && request.headers().get(EXPECT).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

/// HTTP/1.1 keeps a connection open unless either side says `close`;
/// HTTP/1.0 closes it (its keep-alive extension is not spoken here).
fn keeps_alive(request: &Request<Body>) -> bool {
    let close = request
        .headers()
        .get_all(CONNECTION)
        .iter()
        .any(|v| v.as_bytes().split(|&b| b == b',').any(|token| token.trim_ascii().eq_ignore_ascii_case(b"close")));
    request.version() == Version::HTTP_11 && !close
}

/// Writes the status line, the headers and the body: with its length when
/// known, else in chunks (a streamed download).
fn write_response(
    stream: &TcpStream,
    response: &mut Response<Body>,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<()> {
    let status = response.status();
    let mut out = BufWriter::with_capacity(64 * 1024, stream);
    write!(out, "HTTP/1.1 {status}\r\n")?;
    for (name, value) in response.headers() {
        if *name != CONTENT_LENGTH && *name != TRANSFER_ENCODING && *name != CONNECTION {
            write!(out, "{name}: ")?;
            out.write_all(value.as_bytes())?;
            out.write_all(b"\r\n")?;
        }
    }
    if !keep_alive {
        out.write_all(b"connection: close\r\n")?;
    }
    // RFC 9110 section 6.4.1: these have no content, and say no length.
    if status.is_informational() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        out.write_all(b"\r\n")?;
        return out.flush();
    }
    let body = response.body_mut();
    match body.len() {
        Some(length) => {
            write!(out, "content-length: {length}\r\n\r\n")?;
            if !head_only {
                io::copy(body, &mut out)?;
            }
        }
        None if head_only => out.write_all(b"transfer-encoding: chunked\r\n\r\n")?,
        None => {
            out.write_all(b"transfer-encoding: chunked\r\n\r\n")?;
            let mut chunk = vec![0; 64 * 1024];
            loop {
                let read = body.read(&mut chunk)?;
                write!(out, "{read:X}\r\n")?;
                out.write_all(&chunk[..read])?;
                out.write_all(b"\r\n")?;
                if read == 0 {
                    break;
                }
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    /// A server answering `POST` with its body and anything else with its
    /// path, with these limits.
    fn echo(limits: Limits) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let handler = |request: &mut Request<Body>| {
            let mut body = Vec::new();
            request.body_mut().read_to_end(&mut body).unwrap();
            let text = if body.is_empty() { request.uri().path().as_bytes().to_vec() } else { body };
            Response::builder().body(Body::from(text)).unwrap()
        };
        serve(listener, limits, Arc::new(handler)).unwrap();
        address
    }

    fn limits() -> Limits {
        Limits {
            head: Duration::from_secs(10),
            body: Duration::from_secs(10),
            max_body: 1000,
            write: Duration::from_secs(10),
            connections: 16,
        }
    }

    /// Sends `request` on a new connection and reads until the server closes it.
    fn exchange(address: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream.write_all(request).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn kept_alive_requests_are_answered_in_turn_with_their_bodies() {
        let address = echo(limits());
        let answer = exchange(
            address,
            b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n\
              POST /q HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello\
              POST /q HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
        );
        let bodies: Vec<&str> =
            answer.split("HTTP/1.1 200 OK\r\n").skip(1).map(|a| a.split("\r\n\r\n").nth(1).unwrap()).collect();
        assert_eq!(bodies, ["/one", "hello", "abcde"], "{answer}");
        assert!(answer.ends_with("connection: close\r\ncontent-length: 5\r\n\r\nabcde"), "{answer}");
    }

    #[test]
    fn a_client_that_asks_to_continue_is_told_to() {
        let address = echo(limits());
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n").unwrap();
        let mut interim = [0; 25];
        stream.read_exact(&mut interim).unwrap();
        assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        stream.write_all(b"ok").unwrap();
        let mut answer = [0; 15];
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 200 OK");
    }

    #[test]
    fn malformed_and_oversized_requests_are_refused_and_closed() {
        let address = echo(limits());
        let cases: [(&[u8], &str); 5] = [
            (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", "HTTP/1.1 400 Bad Request"),
            (b"GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request"),
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", "HTTP/1.1 413 Payload Too Large"),
            (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented"),
            (
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3E9\r\n",
                "HTTP/1.1 413 Payload Too Large",
            ),
        ];
        for (request, status) in cases {
            let answer = exchange(address, request);
            assert!(answer.starts_with(status), "{}: {answer}", String::from_utf8_lossy(request));
            assert!(answer.contains("connection: close\r\n"), "{answer}");
        }
    }

    /// The head has a deadline of its own: a byte every 50 ms, each well
    /// within any timeout per read, does not hold the connection past it,
    /// and meanwhile other clients are answered.
    #[test]
    fn a_head_sent_a_byte_at_a_time_is_cut_off_at_its_deadline() {
        let address = echo(Limits { head: Duration::from_millis(300), ..limits() });
        let mut slow = TcpStream::connect(address).unwrap();
        slow.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
        let started = Instant::now();
        let mut let_go = None;
        for byte in b"GET /slow HTTP/1.1\r\nX-Slow: ".iter().cycle().take(100) {
            // Anything to read (the 408), the end, or a reset: the server let go.
            match slow.peek(&mut [0]) {
                Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                _ => {
                    let_go = Some(started.elapsed());
                    break;
                }
            }
            if slow.write_all(&[*byte]).is_err() {
                let_go = Some(started.elapsed());
                break;
            }
            assert!(exchange(address, b"GET /other HTTP/1.0\r\n\r\n").ends_with("/other"));
        }
        let let_go = let_go.expect("the server held a head sent a byte at a time for 5 s");
        assert!(let_go >= Duration::from_millis(300), "let go after {let_go:?}, before the deadline");
    }

    /// Past the cap, a client waits in the listening socket's queue until
    /// a connection closes (here at the idle one's head deadline).
    #[test]
    fn past_the_connection_cap_a_client_waits_for_a_place() {
        let address = echo(Limits { head: Duration::from_millis(500), connections: 1, ..limits() });
        let idle = TcpStream::connect(address).unwrap();
        let started = Instant::now();
        assert!(exchange(address, b"GET /next HTTP/1.0\r\n\r\n").ends_with("/next"));
        assert!(started.elapsed() >= Duration::from_millis(400), "answered while the cap was reached");
        drop(idle);
    }
}
