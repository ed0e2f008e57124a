//! Text helpers the GREL and IDLab functions share: escaping modes, title
//! case, slugs, and the regular expressions GREL writes as `/pattern/`.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use regex::Regex;
use std::cell::RefCell;
use std::collections::HashMap;

/// The pattern inside a GREL regular expression literal (`/\s+/`), if `text`
/// is one; GREL tells a regex from a plain string by the slashes.
pub fn regex_literal(text: &str) -> Option<&str> {
    text.strip_prefix('/')?.strip_suffix('/')
}

/// Compiles `pattern`, or takes it from this thread's cache: the pattern is
/// nearly always a constant of the mapping, and compiling it per record would
/// cost more than the match. A thread-local cache needs no lock across the
/// worker threads; it is emptied when full so that patterns built from the
/// data cannot grow it without bound.
pub fn with_regex<T>(parameter: &str, pattern: &str, f: impl FnOnce(&Regex) -> T) -> Result<T, String> {
    const CAPACITY: usize = 64;
    thread_local! {
        static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
    }
    CACHE.with_borrow_mut(|cache| {
        if !cache.contains_key(pattern) {
            let regex = Regex::new(pattern)
                .map_err(|e| format!("parameter <{parameter}> is not a valid regular expression: {e}"))?;
            if cache.len() >= CAPACITY {
                cache.clear();
            }
            cache.insert(pattern.to_owned(), regex);
        }
        Ok(f(&cache[pattern]))
    })
}

/// Apache Commons `WordUtils.capitalizeFully`, which GREL's `toTitlecase`
/// uses: words split at whitespace, each upper-cased first, lower-cased after.
pub fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_whitespace() {
            out.push(c);
            start = true;
        } else if start {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// JavaScript's `encodeURIComponent`, as GREL's `escape(s, "url")`.
pub fn encode_uri_component(s: &str) -> String {
    const KEPT_BY_ENCODE_URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'!')
        .remove(b'~')
        .remove(b'*')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')');
    utf8_percent_encode(s, KEPT_BY_ENCODE_URI_COMPONENT).to_string()
}

/// Percent-decoding; `+` stays a `+` (a URI component, not a form), and a
/// `%` without two hex digits after it stays as it is.
pub fn decode_uri_component(s: &str) -> Result<String, String> {
    match percent_decode_str(s).decode_utf8() {
        Ok(decoded) => Ok(decoded.into_owned()),
        Err(_) => Err(format!("'{s}' decodes to bytes that are not UTF-8")),
    }
}

/// HTML escaping of the characters that have a meaning in HTML. Commons
/// Text's `escapeHtml4` also turns non-ASCII letters into named entities;
/// those are equal in HTML to the letters themselves, which are kept.
pub fn escape_html(s: &str) -> String {
    escape_with(s, |c| match c {
        '&' => Some("&amp;".into()),
        '<' => Some("&lt;".into()),
        '>' => Some("&gt;".into()),
        '"' => Some("&quot;".into()),
        _ => None,
    })
}

/// Commons Text `escapeXml11`: the five predefined entities, and control
/// characters as character references.
pub fn escape_xml(s: &str) -> String {
    escape_with(s, |c| match c {
        '&' => Some("&amp;".into()),
        '<' => Some("&lt;".into()),
        '>' => Some("&gt;".into()),
        '"' => Some("&quot;".into()),
        '\'' => Some("&apos;".into()),
        '\u{1}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' => {
            Some(format!("&#{};", c as u32))
        }
        _ => None,
    })
}

/// Commons Text `escapeCsv`: quoted, quotes doubled, only when needed.
pub fn escape_csv(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn unescape_csv(s: &str) -> String {
    match s.strip_prefix('"').and_then(|inner| inner.strip_suffix('"')) {
        Some(inner) if s.len() >= 2 => inner.replace("\"\"", "\""),
        _ => s.to_owned(),
    }
}

/// Commons Text `escapeEcmaScript`.
pub fn escape_javascript(s: &str) -> String {
    escape_with(s, |c| match c {
        '\'' => Some("\\'".into()),
        '"' => Some("\\\"".into()),
        '\\' => Some("\\\\".into()),
        '/' => Some("\\/".into()),
        '\u{8}' => Some("\\b".into()),
        '\n' => Some("\\n".into()),
        '\t' => Some("\\t".into()),
        '\u{c}' => Some("\\f".into()),
        '\r' => Some("\\r".into()),
        c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
            let mut units = [0u16; 2];
            Some(c.encode_utf16(&mut units).iter().map(|u| format!("\\u{u:04X}")).collect())
        }
        _ => None,
    })
}

pub fn unescape_javascript(s: &str) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            units.extend(c.encode_utf16(&mut [0; 2]).iter());
            continue;
        }
        let simple = match chars.next() {
            Some('b') => '\u{8}',
            Some('n') => '\n',
            Some('t') => '\t',
            Some('f') => '\u{c}',
            Some('r') => '\r',
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u16::from_str_radix(&hex, 16) {
                    Ok(unit) if hex.len() == 4 => units.push(unit),
                    _ => units.extend("\\u".encode_utf16().chain(hex.encode_utf16())),
                }
                continue;
            }
            Some(other) => other,
            None => '\\',
        };
        units.extend(simple.encode_utf16(&mut [0; 2]).iter());
    }
    String::from_utf16_lossy(&units)
}

/// Resolves the XML entities and numeric character references; with `html`
/// also the HTML entities of Latin-1 and a few common others.
pub fn unescape_entities(s: &str, html: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let resolved = rest.find(';').filter(|end| *end <= 10).and_then(|end| {
            let c = entity(&rest[1..end], html)?;
            Some((c, end))
        });
        match resolved {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str, html: bool) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ if html => HTML_ENTITIES.iter().find(|(n, _)| *n == name)?.1,
        _ => return None,
    };
    Some(c)
}

const HTML_ENTITIES: &[(&str, char)] = &[
    ("nbsp", '\u{a0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("deg", '°'),
    ("euro", '€'),
    ("pound", '£'),
    ("eacute", 'é'),
    ("egrave", 'è'),
    ("ecirc", 'ê'),
    ("euml", 'ë'),
    ("aacute", 'á'),
    ("agrave", 'à'),
    ("acirc", 'â'),
    ("auml", 'ä'),
    ("iacute", 'í'),
    ("iuml", 'ï'),
    ("oacute", 'ó'),
    ("ouml", 'ö'),
    ("ocirc", 'ô'),
    ("uacute", 'ú'),
    ("uuml", 'ü'),
    ("ccedil", 'ç'),
    ("ntilde", 'ñ'),
    ("szlig", 'ß'),
    ("Eacute", 'É'),
    ("Auml", 'Ä'),
    ("Ouml", 'Ö'),
    ("Uuml", 'Ü'),
    ("hellip", '…'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
];

fn escape_with(s: &str, mut replace: impl FnMut(char) -> Option<String>) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match replace(c) {
            Some(replacement) => out.push_str(&replacement),
            None => out.push(c),
        }
    }
    out
}

/// The slug `com.github.slugify` makes by default (IDLab's `slugify`):
/// accents dropped, lower case, every run of other characters one `-`, no
/// `-` at either end. Letters outside Latin without a plain-ASCII form are
/// dropped, as there.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        let plain = transliterate(c);
        for p in plain.chars() {
            if p.is_ascii_alphanumeric() {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(p.to_ascii_lowercase());
            } else {
                dash = true;
            }
        }
    }
    out
}

/// The ASCII a Latin letter with diacritics is written as without them.
fn transliterate(c: char) -> String {
    if c.is_ascii() {
        return c.to_string();
    }
    const TABLE: &[(&str, &str)] = &[
        ("ÀÁÂÃÄÅĀĂĄ", "A"),
        ("àáâãäåāăą", "a"),
        ("ÇĆĈĊČ", "C"),
        ("çćĉċč", "c"),
        ("ĎĐ", "D"),
        ("ďđ", "d"),
        ("ÈÉÊËĒĔĖĘĚ", "E"),
        ("èéêëēĕėęě", "e"),
        ("ĜĞĠĢ", "G"),
        ("ĝğġģ", "g"),
        ("ĤĦ", "H"),
        ("ĥħ", "h"),
        ("ÌÍÎÏĨĪĬĮİ", "I"),
        ("ìíîïĩīĭįı", "i"),
        ("Ĵ", "J"),
        ("ĵ", "j"),
        ("Ķ", "K"),
        ("ķ", "k"),
        ("ĹĻĽĿŁ", "L"),
        ("ĺļľŀł", "l"),
        ("ÑŃŅŇ", "N"),
        ("ñńņň", "n"),
        ("ÒÓÔÕÖØŌŎŐ", "O"),
        ("òóôõöøōŏő", "o"),
        ("ŔŖŘ", "R"),
        ("ŕŗř", "r"),
        ("ŚŜŞŠ", "S"),
        ("śŝşš", "s"),
        ("ŢŤŦ", "T"),
        ("ţťŧ", "t"),
        ("ÙÚÛÜŨŪŬŮŰŲ", "U"),
        ("ùúûüũūŭůűų", "u"),
        ("Ŵ", "W"),
        ("ŵ", "w"),
        ("ÝŸŶ", "Y"),
        ("ýÿŷ", "y"),
        ("ŹŻŽ", "Z"),
        ("źżž", "z"),
        ("Æ", "AE"),
        ("æ", "ae"),
        ("Œ", "OE"),
        ("œ", "oe"),
        ("ß", "ss"),
        ("Þ", "TH"),
        ("þ", "th"),
        ("&", "and"),
    ];
    TABLE.iter().find(|(from, _)| from.contains(c)).map_or_else(String::new, |(_, to)| (*to).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_follows_capitalize_fully() {
        assert_eq!(title_case("i aM tHe dOg"), "I Am The Dog");
        assert_eq!(title_case("  two  spaces"), "  Two  Spaces");
    }

    #[test]
    fn escapes_round_trip() {
        let s = "a&b <c> \"d\" 'e' é/\n";
        assert_eq!(unescape_entities(&escape_html(s), true), s);
        assert_eq!(unescape_entities(&escape_xml(s), false), s);
        assert_eq!(unescape_csv(&escape_csv(s)), s);
        assert_eq!(unescape_javascript(&escape_javascript(s)), s);
        assert_eq!(decode_uri_component(&encode_uri_component(s)).unwrap(), s);
    }

    #[test]
    fn escapes_as_commons_text() {
        assert_eq!(escape_html("A&B"), "A&amp;B");
        assert_eq!(escape_xml("<a href='x'>"), "&lt;a href=&apos;x&apos;&gt;");
        assert_eq!(escape_csv("a,b"), "\"a,b\"");
        assert_eq!(escape_csv("ab"), "ab");
        assert_eq!(escape_javascript("He didn't say, \"Stop!\""), "He didn\\'t say, \\\"Stop!\\\"");
        assert_eq!(escape_javascript("é"), "\\u00E9");
        assert_eq!(encode_uri_component("a b&c/é"), "a%20b%26c%2F%C3%A9");
        assert_eq!(unescape_entities("&eacute;&#233;&#xE9;&bogus; & x", true), "ééé&bogus; & x");
    }

    #[test]
    fn slugs_as_slugify() {
        assert_eq!(slugify("Hello World!"), "hello-world");
        assert_eq!(slugify("  Crème Brûlée -- à la carte "), "creme-brulee-a-la-carte");
        assert_eq!(slugify("Straße"), "strasse");
    }

    #[test]
    fn regex_literals_and_cache() {
        assert_eq!(regex_literal("/\\s+/"), Some("\\s+"));
        assert_eq!(regex_literal("/"), None);
        assert_eq!(regex_literal("plain"), None);
        for _ in 0..3 {
            assert_eq!(with_regex("p", "a+", |r| r.replace_all("caab", "x").into_owned()).unwrap(), "cxb");
        }
        assert!(with_regex("p", "(", |_| ()).unwrap_err().contains("<p>"));
    }
}
