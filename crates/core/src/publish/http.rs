//! Just enough HTTP/1.1 to stream a request body to a server and read its
//! answer: one request per connection, a chunked body, `Connection: close`.
//!
//! Our own rather than a client crate: the usual ones bring a TLS stack and
//! URL/IDNA tables (dozens of crates) for what is one PUT per graph; the
//! price is that only `http://` endpoints are reached (see the README).
//! Its percent-decoding also serves `serve`'s form parsing.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where requests go: an `http://` URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    /// Path and query, as sent in the request line (at least `/`).
    pub target: String,
    /// `user:password` from the URL, sent as HTTP Basic authentication.
    pub credentials: Option<String>,
}

impl Url {
    /// Parses `http://[user:password@]host[:port][/path][?query]`.
    ///
    /// ```
    /// use factgraph::publish::http::Url;
    /// let url = Url::parse("http://me:secret@localhost:7878/store").unwrap();
    /// assert_eq!((url.host.as_str(), url.port, url.target.as_str()), ("localhost", 7878, "/store"));
    /// assert_eq!(url.credentials.as_deref(), Some("me:secret"));
    /// assert!(Url::parse("https://example.org/store").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("https") => {
                return Err("https is not supported: factgraph speaks plain HTTP; give an http:// address \
                            (for a remote server, through an SSH tunnel or a local TLS proxy)"
                    .into())
            }
            _ => return Err("expected an address like http://localhost:7878/store".into()),
        };
        let (authority, target) = match rest.find(['/', '?']) {
            Some(at) => (&rest[..at], rest[at..].to_owned()),
            None => (rest, String::from("/")),
        };
        let target = if target.starts_with('?') { format!("/{target}") } else { target };
        let (credentials, host_port) = match authority.rsplit_once('@') {
            Some((credentials, host_port)) => (Some(percent_decode(credentials)), host_port),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port)?;
        if host.is_empty() {
            return Err("the address has no host name".into());
        }
        Ok(Self { host, port, target, credentials })
    }

    /// The target with one more query parameter.
    pub fn with_query(&self, parameter: &str) -> String {
        let separator = if self.target.contains('?') { '&' } else { '?' };
        format!("{}{separator}{parameter}", self.target)
    }

    fn host_header(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if self.port == 80 {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

fn split_host_port(authority: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or("an IPv6 address lacks its closing ]")?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(port) => port.parse().map_err(|_| format!("{port:?} is not a port number"))?,
        None => 80,
    };
    Ok((host.to_owned(), port))
}

/// What a server answered.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    /// The body as text (lossy), for messages to people.
    pub body: String,
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
    #[error("{address} gave no valid HTTP answer: {problem}")]
    Answer { address: String, problem: String },
}

/// Sends one request whose body `write_body` streams, in chunks, and reads the
/// answer. A server may answer (say 401 or 413) and close before the body is
/// all sent: that answer is returned rather than the broken pipe. When
/// `write_body` fails, the body is left unfinished, so no server takes the
/// truncated body for a whole one.
pub fn send(
    url: &Url,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    write_body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<Response, RequestError> {
    let address = url.host_header();
    let stream = connect(url).map_err(|cause| RequestError::Connect { address: address.clone(), cause })?;
    let sent = (|| {
        (&stream).write_all(request_head(url, method, target, headers).as_bytes())?;
        let mut writer = BufWriter::with_capacity(1 << 16, Chunked { inner: &stream });
        write_body(&mut writer)?;
        writer.flush()?;
        writer.get_mut().finish()
    })();
    if sent.is_err() {
        // Let a server that already answered be heard, without waiting long
        // for one that is still reading.
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    }
    match (sent, read_response(&stream)) {
        (_, Ok(response)) => Ok(response),
        (Err(cause), Err(_)) => Err(RequestError::Send { address, cause }),
        (Ok(()), Err(problem)) => Err(RequestError::Answer { address, problem }),
    }
}

fn connect(url: &Url) -> io::Result<TcpStream> {
    let mut last_error = io::Error::new(io::ErrorKind::NotFound, "the host name resolves to no address");
    for address in (url.host.as_str(), url.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, Duration::from_secs(10)) {
            Ok(stream) => return Ok(stream),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

fn request_head(url: &Url, method: &str, target: &str, headers: &[(&str, &str)]) -> String {
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nUser-Agent: factgraph/{}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n",
        url.host_header(),
        env!("CARGO_PKG_VERSION")
    );
    if let Some(credentials) = &url.credentials {
        head.push_str(&format!("Authorization: Basic {}\r\n", base64(credentials.as_bytes())));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Each write becomes one chunk; a `BufWriter` in front makes them large.
struct Chunked<'a> {
    inner: &'a TcpStream,
}

impl Write for Chunked<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if !data.is_empty() {
            write!(self.inner, "{:x}\r\n", data.len())?;
            self.inner.write_all(data)?;
            self.inner.write_all(b"\r\n")?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Chunked<'_> {
    fn finish(&mut self) -> io::Result<()> {
        self.inner.write_all(b"0\r\n\r\n")?;
        self.inner.flush()
    }
}

/// Reads status, headers and body (by length, chunked, or to the end).
fn read_response(stream: &TcpStream) -> Result<Response, String> {
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).map_err(|e| e.to_string())?;
    let mut parts = status_line.trim_end().splitn(3, ' ');
    let (version, status, reason) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
    let status = match (version, status.and_then(|s| s.parse().ok())) {
        (Some(v), Some(status)) if v.starts_with("HTTP/") => status,
        _ if status_line.is_empty() => return Err("the connection closed without an answer".into()),
        _ => return Err(format!("the status line is {:?}", status_line.trim_end())),
    };
    let (mut length, mut chunked) = (None, false);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<u64>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            }
        }
    }
    let body = if chunked {
        read_chunked(&mut reader)?
    } else {
        let mut body = Vec::new();
        let limited: &mut dyn Read = &mut reader;
        match length {
            Some(length) => limited.take(length).read_to_end(&mut body),
            None => limited.read_to_end(&mut body),
        }
        .map_err(|e| e.to_string())?;
        body
    };
    Ok(Response { status, reason: reason.to_owned(), body: String::from_utf8_lossy(&body).into_owned() })
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line).map_err(|e| e.to_string())?;
        let size = size_line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size, 16).map_err(|_| format!("bad chunk size {size:?}"))?;
        if size == 0 {
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size + 2, 0);
        reader.read_exact(&mut body[start..]).map_err(|e| e.to_string())?;
        body.truncate(start + size);
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters, for query values.
pub fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays, and
/// bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(data.len().div_ceil(3) * 4);
    for group in data.chunks(3) {
        let bits = group.iter().enumerate().fold(0u32, |bits, (i, &b)| bits | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                encoded.push(ALPHABET[(bits >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn urls_keep_their_query_and_ipv6_hosts() {
        let url = Url::parse("http://[::1]:3030/ds/data?x=1").unwrap();
        assert_eq!((url.host.as_str(), url.port), ("::1", 3030));
        assert_eq!(url.with_query("default"), "/ds/data?x=1&default");
        assert_eq!(url.host_header(), "[::1]:3030");
        let bare = Url::parse("http://example.org").unwrap();
        assert_eq!((bare.port, bare.target.as_str()), (80, "/"));
        assert!(Url::parse("http://host:port/").is_err());
        assert!(Url::parse("localhost:7878").is_err());
    }

    #[test]
    fn graph_iris_are_percent_encoded() {
        assert_eq!(percent_encode("http://ex.org/g#1"), "http%3A%2F%2Fex.org%2Fg%231");
        assert_eq!(percent_decode("a%3Ab%zz"), "a:b%zz");
    }
}
