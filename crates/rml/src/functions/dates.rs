//! Dates written the way a spreadsheet writes them, read with the pattern
//! IDLab's `normalizeDate` takes: Java's `DateTimeFormatter` letters
//! (`dd/MM/yyyy`, `d MMMM uuuu`, `yyyyMMdd HH:mm`). No date crate knows those
//! patterns, and the subset researchers use is small, so it is read here.
//!
//! Supported: `y`/`u` year (`yy` two digits, 2000–2099, as Java), `M`/`L`
//! month (`M` one or two digits, `MM` two, `MMM` short and `MMMM` full name),
//! `d` day, `E` weekday name (checked as a name, not against the date), `H`
//! hour 0–23, `h` hour 1–12 with `a` (AM/PM), `m`, `s`, `S` fraction of a
//! second, `'quoted text'` and any other non-letter as itself. Month and
//! weekday names in English, Dutch, French, German and Spanish, any case;
//! a 3-letter abbreviation (with or without a dot) is read for a full name.

use std::fmt::Write;

/// A date and time read from text; the time is midnight unless the pattern
/// has one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DateTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    pub has_time: bool,
}

impl DateTime {
    /// `xsd:date`: `2013-03-15`.
    pub fn date(&self) -> String {
        let mut out = String::new();
        if self.year < 0 {
            out.push('-');
        }
        let _ = write!(out, "{:04}-{:02}-{:02}", self.year.abs(), self.month, self.day);
        out
    }

    /// `xsd:dateTime`: `2013-03-15T09:30:00`, seconds always written (Java
    /// drops `:00` seconds, which `xsd:dateTime` does not allow).
    pub fn date_time(&self) -> String {
        let mut out = self.date();
        let _ = write!(out, "T{:02}:{:02}:{:02}", self.hour, self.minute, self.second);
        if self.nanos > 0 {
            let fraction = format!("{:09}", self.nanos);
            let _ = write!(out, ".{}", fraction.trim_end_matches('0'));
        }
        out
    }
}

/// Why a text could not be read: the pattern or language is wrong (the
/// mapping's fault) or the text does not match the pattern (the data's).
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    Pattern(String),
    Language(String),
    NoMatch,
}

/// Reads `text` as `pattern` describes, names in `lang` (a BCP 47 tag; only
/// its language counts).
pub fn parse(text: &str, pattern: &str, lang: &str) -> Result<DateTime, Error> {
    let names = Names::for_language(lang)?;
    let mut parser = Parser { text: text.trim(), at: 0, names, fields: Fields::default() };
    let tokens = tokens(pattern)?;
    for (i, token) in tokens.iter().enumerate() {
        // Java's adjacent value parsing: "yyyyMMdd" reads a year of exactly
        // four digits when a number follows straight after it.
        let adjacent = matches!(tokens.get(i + 1), Some(Token::Field(c, n)) if "yuMLdHhmsS".contains(*c) && *n < 3);
        parser.read(token, adjacent)?;
    }
    if parser.at != parser.text.len() {
        return Err(Error::NoMatch);
    }
    parser.fields.resolve()
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Literal(String),
    Field(char, usize),
}

fn tokens(pattern: &str) -> Result<Vec<Token>, Error> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let (literal, next) = quoted(&chars, i + 1)?;
            tokens.push(Token::Literal(literal));
            i = next;
        } else if c.is_ascii_alphabetic() {
            let count = chars[i..].iter().take_while(|&&d| d == c).count();
            if !"yuMLdEHhmsSa".contains(c) {
                return Err(Error::Pattern(format!("the pattern letter '{c}' is not supported (see the docs)")));
            }
            tokens.push(Token::Field(c, count));
            i += count;
        } else {
            tokens.push(Token::Literal(c.to_string()));
            i += 1;
        }
    }
    Ok(tokens)
}

/// The text of a quoted literal starting after its quote; `''` is a quote.
fn quoted(chars: &[char], mut i: usize) -> Result<(String, usize), Error> {
    if chars.get(i) == Some(&'\'') {
        return Ok(("'".into(), i + 1));
    }
    let mut literal = String::new();
    loop {
        match (chars.get(i), chars.get(i + 1)) {
            (Some('\''), Some('\'')) => {
                literal.push('\'');
                i += 2;
            }
            (Some('\''), _) => return Ok((literal, i + 1)),
            (Some(c), _) => {
                literal.push(*c);
                i += 1;
            }
            (None, _) => return Err(Error::Pattern("the pattern has a quote that is not closed".into())),
        }
    }
}

#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    hour12: Option<u32>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: Option<u32>,
}

impl Fields {
    fn resolve(self) -> Result<DateTime, Error> {
        let (year, month, day) = (self.year.ok_or(Error::NoMatch)?, self.month, self.day);
        let (month, day) = (month.ok_or(Error::NoMatch)?, day.ok_or(Error::NoMatch)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(Error::NoMatch);
        }
        let hour = match (self.hour, self.hour12, self.pm) {
            (Some(h), None, _) => Some(h),
            (None, Some(h), pm) if (1..=12).contains(&h) => Some(h % 12 + if pm == Some(true) { 12 } else { 0 }),
            (None, None, _) => None,
            _ => return Err(Error::NoMatch),
        };
        let (minute, second) = (self.minute.unwrap_or(0), self.second.unwrap_or(0));
        if hour.is_some_and(|h| h > 23) || minute > 59 || second > 59 {
            return Err(Error::NoMatch);
        }
        let nanos = self.nanos.unwrap_or(0);
        let has_time = hour.is_some();
        Ok(DateTime { year, month, day, hour: hour.unwrap_or(0), minute, second, nanos, has_time })
    }
}

/// The length in bytes of the longest common prefix of `a` and `b`.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum()
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    names: &'static Names,
    fields: Fields,
}

impl Parser<'_> {
    fn read(&mut self, token: &Token, adjacent: bool) -> Result<(), Error> {
        match token {
            Token::Literal(literal) => self.literal(literal),
            Token::Field(c, count) => self.field(*c, *count, adjacent),
        }
    }

    fn literal(&mut self, literal: &str) -> Result<(), Error> {
        let rest = &self.text[self.at..];
        if rest.starts_with(literal) {
            self.at += literal.len();
            Ok(())
        } else {
            Err(Error::NoMatch)
        }
    }

    fn field(&mut self, c: char, count: usize, adjacent: bool) -> Result<(), Error> {
        match (c, count) {
            ('y' | 'u', 2) => self.fields.year = Some(2000 + i64::from(self.digits(2, 2)?)),
            ('y' | 'u', _) => {
                let max = if adjacent { count.max(4) } else { 9 };
                self.fields.year = Some(i64::from(self.digits(count, max)?));
            }
            ('M' | 'L', 3..) => self.fields.month = Some(self.name(self.names.months)?),
            ('M' | 'L', _) => self.fields.month = Some(self.number(count)?),
            ('d', _) => self.fields.day = Some(self.number(count)?),
            ('E', _) => {
                self.name(self.names.weekdays)?;
            }
            ('H', _) => self.fields.hour = Some(self.number(count)?),
            ('h', _) => self.fields.hour12 = Some(self.number(count)?),
            ('m', _) => self.fields.minute = Some(self.number(count)?),
            ('s', _) => self.fields.second = Some(self.number(count)?),
            ('S', _) => {
                let start = self.at;
                let fraction = self.digits(count, count)?;
                let width = (self.at - start) as u32;
                self.fields.nanos = Some(fraction * 10u32.pow(9u32.saturating_sub(width)));
            }
            _ => self.fields.pm = Some(self.am_pm()?),
        }
        Ok(())
    }

    /// `d` reads one or two digits, `dd` exactly two.
    fn number(&mut self, count: usize) -> Result<u32, Error> {
        if count == 1 {
            self.digits(1, 2)
        } else {
            self.digits(count, count)
        }
    }

    fn digits(&mut self, min: usize, max: usize) -> Result<u32, Error> {
        let rest = &self.text[self.at..];
        let len = rest.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if len < min {
            return Err(Error::NoMatch);
        }
        self.at += len;
        rest[..len].parse().map_err(|_| Error::NoMatch)
    }

    /// The 1-based index of the name at this point: a full name, or an
    /// abbreviation of at least three of its letters, optionally followed by
    /// a dot (`Sep`, `sept.`, `janv.`); the longest wins.
    fn name(&mut self, names: &[&str]) -> Result<u32, Error> {
        let rest = self.text[self.at..].to_lowercase();
        let mut best: Option<(usize, u32)> = None;
        for (i, name) in names.iter().enumerate() {
            let matched = common_prefix(&rest, name);
            let full = matched == name.len();
            if !full && name[..matched].chars().count() < 3 {
                continue;
            }
            let len = if !full && rest[matched..].starts_with('.') { matched + 1 } else { matched };
            if best.is_none_or(|(best, _)| len > best) {
                best = Some((len, i as u32 + 1));
            }
        }
        let (len, index) = best.ok_or(Error::NoMatch)?;
        // The lower-cased text may differ in length from the original only
        // for letters no month name has; count characters to be safe.
        let chars = rest[..len].chars().count();
        self.at += self.text[self.at..].char_indices().nth(chars).map_or(self.text.len() - self.at, |(i, _)| i);
        Ok(index)
    }

    fn am_pm(&mut self) -> Result<bool, Error> {
        let rest = self.text[self.at..].to_ascii_lowercase();
        let pm = match rest.get(..2) {
            Some("am") => false,
            Some("pm") => true,
            _ => return Err(Error::NoMatch),
        };
        self.at += 2;
        Ok(pm)
    }
}

/// Month and weekday names of one language, lower case, weekdays Monday
/// first.
struct Names {
    months: &'static [&'static str; 12],
    weekdays: &'static [&'static str; 7],
}

impl Names {
    fn for_language(tag: &str) -> Result<&'static Names, Error> {
        let language = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        LANGUAGES.iter().find(|(code, _)| *code == language).map(|(_, names)| names).ok_or_else(|| {
            let known: Vec<&str> = LANGUAGES.iter().map(|(code, _)| *code).collect();
            Error::Language(format!("month names in '{tag}' are not known; use one of {}", known.join(", ")))
        })
    }
}

const LANGUAGES: &[(&str, Names)] = &[
    (
        "en",
        Names {
            months: &[
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            weekdays: &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
        },
    ),
    (
        "nl",
        Names {
            months: &[
                "januari",
                "februari",
                "maart",
                "april",
                "mei",
                "juni",
                "juli",
                "augustus",
                "september",
                "oktober",
                "november",
                "december",
            ],
            weekdays: &["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
        },
    ),
    (
        "fr",
        Names {
            months: &[
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
            weekdays: &["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
        },
    ),
    (
        "de",
        Names {
            months: &[
                "januar",
                "februar",
                "märz",
                "april",
                "mai",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "dezember",
            ],
            weekdays: &["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"],
        },
    ),
    (
        "es",
        Names {
            months: &[
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            weekdays: &["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
        },
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str, pattern: &str) -> Result<String, Error> {
        parse(text, pattern, "en").map(|d| d.date())
    }

    #[test]
    fn reads_numeric_dates() {
        assert_eq!(date("15/03/2013", "dd/MM/yyyy").unwrap(), "2013-03-15");
        assert_eq!(date("3/5/2013", "d/M/yyyy").unwrap(), "2013-05-03");
        assert_eq!(date("20130315", "yyyyMMdd").unwrap(), "2013-03-15");
        assert_eq!(date("15.03.13", "dd.MM.yy").unwrap(), "2013-03-15");
        assert_eq!(date("2024-02-29", "uuuu-MM-dd").unwrap(), "2024-02-29");
    }

    #[test]
    fn reads_names_in_several_languages() {
        // idlab-functions-java's test: normalizeDate("01 April 22", "dd LLLL uu") is 2022-04-01.
        assert_eq!(date("01 April 22", "dd LLLL uu").unwrap(), "2022-04-01");
        assert_eq!(date("Friday, 15 Mar 2013", "EEEE, d MMM yyyy").unwrap(), "2013-03-15");
        assert_eq!(date("15 sept. 2013", "d MMM yyyy").unwrap(), "2013-09-15");
        assert_eq!(parse("1 mei 2021", "d MMMM yyyy", "nl").unwrap().date(), "2021-05-01");
        assert_eq!(parse("3 März 2021", "d MMMM yyyy", "de-DE").unwrap().date(), "2021-03-03");
        assert_eq!(parse("1er", "d'er'", "fr"), Err(Error::NoMatch));
        assert!(matches!(parse("1 May", "d MMMM", "xx"), Err(Error::Language(_))));
    }

    #[test]
    fn reads_times() {
        let t = parse("2022-04-01 1:05:09 PM", "yyyy-MM-dd h:mm:ss a", "en").unwrap();
        assert_eq!(t.date_time(), "2022-04-01T13:05:09");
        let t = parse("01 April 22T11:44:00.250", "dd LLLL uu'T'HH:mm:ss.SSS", "en").unwrap();
        assert_eq!(t.date_time(), "2022-04-01T11:44:00.25");
        assert!(t.has_time);
        assert!(!parse("2022-04-01", "yyyy-MM-dd", "en").unwrap().has_time);
    }

    #[test]
    fn refuses_what_does_not_match() {
        assert_eq!(date("2013-02-29", "yyyy-MM-dd"), Err(Error::NoMatch));
        assert_eq!(date("2013-13-01", "yyyy-MM-dd"), Err(Error::NoMatch));
        assert_eq!(date("2013-03-15 extra", "yyyy-MM-dd"), Err(Error::NoMatch));
        assert_eq!(date("", "yyyy-MM-dd"), Err(Error::NoMatch));
        assert_eq!(date("2013-03", "yyyy-MM"), Err(Error::NoMatch));
        assert!(matches!(date("2013", "yyyy Q"), Err(Error::Pattern(_))));
        assert!(matches!(date("2013", "yyyy 'x"), Err(Error::Pattern(_))));
    }
}
