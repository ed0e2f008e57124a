//! The three small languages inside a description's strings: templates
//! (`"{name_en|slug}-o{i}"`), index expressions (`"i / 3"`) and conditions
//! (`"role = company and not foreign"`). They are parsed once, when the
//! description is read, with names already turned into slots of the row
//! being generated, so that a row only substitutes and compares.

use super::error::Fault;

/// How names in a string become slots: the values set by earlier steps.
pub(super) type Resolve<'a> = &'a dyn Fn(&str) -> Option<usize>;

/// Text with `{…}` placeholders; `{{` and `}}` stand for braces.
#[derive(Debug, Clone)]
pub(super) struct Template {
    pub segments: Vec<Segment>,
    /// Room for the text: the literal parts and a little per placeholder.
    pub size_hint: usize,
}

#[derive(Debug, Clone)]
pub(super) enum Segment {
    Text(String),
    Index(Expr),
    /// `{name}`, `{name.part}` (a field of a cited row or a part of a picked
    /// item), then filters: `{name|slug}`.
    Value {
        slot: usize,
        part: Option<String>,
        filters: Vec<Filter>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Filter {
    /// Lowercase ASCII letters and digits, other runs of characters as one `-`.
    Slug,
    /// The first n words (split at single spaces).
    Words(usize),
    /// The first n characters.
    Chars(usize),
}

impl Template {
    /// The text itself when the template has no placeholder.
    pub fn literal(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [] => Some(""),
            [Segment::Text(text)] => Some(text),
            _ => None,
        }
    }

    pub fn parse(text: &str, resolve: Resolve<'_>) -> Result<Self, Fault> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(['{', '}']) {
            literal.push_str(&rest[..at]);
            let tail = &rest[at..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                literal.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            let end = tail.find('}').filter(|_| tail.starts_with('{')).ok_or_else(|| {
                Fault::new(format!("unmatched brace in template {text:?} (write {{{{ or }}}} for a brace)"))
            })?;
            if !literal.is_empty() {
                segments.push(Segment::Text(std::mem::take(&mut literal)));
            }
            segments.push(
                placeholder(&tail[1..end], resolve).map_err(|e| Fault::new(format!("{e}, in template {text:?}")))?,
            );
            rest = &tail[end + 1..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            segments.push(Segment::Text(literal));
        }
        let size_hint = segments.iter().map(|s| if let Segment::Text(t) = s { t.len() } else { 24 }).sum();
        Ok(Self { segments, size_hint })
    }
}

fn placeholder(inside: &str, resolve: Resolve<'_>) -> Result<Segment, Fault> {
    let mut pieces = inside.split('|').map(str::trim);
    let source = pieces.next().unwrap_or_default();
    let filters = pieces.map(filter).collect::<Result<Vec<_>, _>>()?;
    if starts_expression(source) {
        if !filters.is_empty() {
            return Err(Fault::new(format!("{{{inside}}}: filters apply to names, not to numbers")));
        }
        return Ok(Segment::Index(Expr::parse(source)?));
    }
    let (name, part) = match source.split_once('.') {
        Some((name, part)) => (name, Some(part.to_owned())),
        None => (source, None),
    };
    let slot = resolve(name).ok_or_else(|| Fault::new(format!("{{{name}}} is not set by an earlier step")))?;
    Ok(Segment::Value { slot, part, filters })
}

/// `i`, `i % 50 + 365` or a number, rather than a name.
fn starts_expression(source: &str) -> bool {
    source == "i"
        || source.starts_with(|c: char| c.is_ascii_digit())
        || source.strip_prefix('i').is_some_and(|rest| rest.starts_with([' ', '+', '-', '*', '/', '%']))
}

fn filter(text: &str) -> Result<Filter, Fault> {
    let (name, argument) = match text.split_once('(') {
        Some((name, rest)) => {
            let number = rest.strip_suffix(')').and_then(|n| n.trim().parse::<usize>().ok());
            (name.trim(), Some(number.ok_or_else(|| Fault::new(format!("filter {text:?} needs a number: words(1)")))?))
        }
        None => (text, None),
    };
    match (name, argument) {
        ("slug", None) => Ok(Filter::Slug),
        ("words", Some(n)) => Ok(Filter::Words(n)),
        ("chars", Some(n)) => Ok(Filter::Chars(n)),
        _ => Err(Fault::new(format!("unknown filter {text:?}; the filters are slug, words(N) and chars(N)"))),
    }
}

impl Filter {
    pub fn apply(self, text: &str) -> String {
        match self {
            Self::Slug => slug(text),
            Self::Words(n) => text.split(' ').take(n).collect::<Vec<_>>().join(" "),
            Self::Chars(n) => text.chars().take(n).collect(),
        }
    }
}

pub(super) fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// Arithmetic on the row's index `i`, the cited table's `rows` and whole
/// numbers: `+ - * / %`, the last three binding tighter, left to right.
#[derive(Debug, Clone)]
pub(super) enum Expr {
    Index,
    Rows,
    Number(u64),
    Binary(Box<Expr>, char, Box<Expr>),
}

impl Expr {
    pub fn parse(text: &str) -> Result<Self, Fault> {
        let tokens = tokens(text)?;
        let mut at = 0;
        let expr = sum(&tokens, &mut at)
            .ok_or_else(|| Fault::new(format!("cannot read {text:?} as i, rows or a number, with + - * / %")))?;
        if at != tokens.len() {
            return Err(Fault::new(format!("cannot read {text:?} as i, rows or a number, with + - * / %")));
        }
        Ok(expr)
    }

    /// `None` on a division by zero or an overflow.
    pub fn eval(&self, index: u64, rows: u64) -> Option<u64> {
        match self {
            Self::Index => Some(index),
            Self::Rows => Some(rows),
            Self::Number(n) => Some(*n),
            Self::Binary(left, op, right) => {
                let (a, b) = (left.eval(index, rows)?, right.eval(index, rows)?);
                match op {
                    '+' => a.checked_add(b),
                    '-' => a.checked_sub(b),
                    '*' => a.checked_mul(b),
                    '/' => a.checked_div(b),
                    _ => a.checked_rem(b),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Index,
    Rows,
    Number(u64),
    Op(char),
}

fn tokens(text: &str) -> Result<Vec<Token>, Fault> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            ' ' => {}
            '+' | '-' | '*' | '/' | '%' => tokens.push(Token::Op(c)),
            _ if c.is_ascii_alphanumeric() => {
                let mut end = start + 1;
                while let Some(&(at, next)) = chars.peek().filter(|(_, n)| n.is_ascii_alphanumeric()) {
                    end = at + next.len_utf8();
                    chars.next();
                }
                tokens.push(match &text[start..end] {
                    "i" => Token::Index,
                    "rows" => Token::Rows,
                    word => Token::Number(
                        word.parse()
                            .map_err(|_| Fault::new(format!("{word:?} in {text:?} is not i, rows or a number")))?,
                    ),
                });
            }
            _ => return Err(Fault::new(format!("unexpected {c:?} in {text:?}"))),
        }
    }
    Ok(tokens)
}

fn sum(tokens: &[Token], at: &mut usize) -> Option<Expr> {
    let mut expr = product(tokens, at)?;
    while let Some(Token::Op(op @ ('+' | '-'))) = tokens.get(*at) {
        *at += 1;
        expr = Expr::Binary(Box::new(expr), *op, Box::new(product(tokens, at)?));
    }
    Some(expr)
}

fn product(tokens: &[Token], at: &mut usize) -> Option<Expr> {
    let mut expr = term(tokens, at)?;
    while let Some(Token::Op(op @ ('*' | '/' | '%'))) = tokens.get(*at) {
        *at += 1;
        expr = Expr::Binary(Box::new(expr), *op, Box::new(term(tokens, at)?));
    }
    Some(expr)
}

fn term(tokens: &[Token], at: &mut usize) -> Option<Expr> {
    let expr = match tokens.get(*at)? {
        Token::Index => Expr::Index,
        Token::Rows => Expr::Rows,
        Token::Number(n) => Expr::Number(*n),
        Token::Op(_) => return None,
    };
    *at += 1;
    Some(expr)
}

/// One test of `if = "…"`; a condition is several joined by ` and `.
#[derive(Debug, Clone)]
pub(super) enum Test {
    /// `name` (set and not empty, or true) or `not name`.
    Set { slot: usize, negate: bool },
    /// `name = text` or `name != text`.
    Equals { slot: usize, text: String, negate: bool },
    /// `i >= 20` and the other comparisons of the index with a number.
    Index { op: &'static str, number: u64 },
}

pub(super) fn condition(text: &str, resolve: Resolve<'_>) -> Result<Vec<Test>, Fault> {
    text.split(" and ").map(|test| self::test(test.trim(), resolve)).collect()
}

fn test(text: &str, resolve: Resolve<'_>) -> Result<Test, Fault> {
    let slot = |name: &str| {
        resolve(name).ok_or_else(|| Fault::new(format!("condition {text:?}: {name:?} is not set by an earlier step")))
    };
    let Some((op, left, right)) = ["!=", ">=", "<=", "=", ">", "<"]
        .iter()
        .find_map(|op| text.split_once(op).map(|(l, r)| (*op, l.trim(), r.trim())))
    else {
        return match text.strip_prefix("not ") {
            Some(name) => Ok(Test::Set { slot: slot(name.trim())?, negate: true }),
            None => Ok(Test::Set { slot: slot(text)?, negate: false }),
        };
    };
    if left == "i" {
        let number =
            right.parse().map_err(|_| Fault::new(format!("condition {text:?}: {right:?} is not a whole number")))?;
        return Ok(Test::Index { op, number });
    }
    match op {
        "=" | "!=" => Ok(Test::Equals { slot: slot(left)?, text: right.to_owned(), negate: op == "!=" }),
        _ => Err(Fault::new(format!("condition {text:?}: only i is compared with {op}; names with = or !="))),
    }
}

impl Test {
    pub fn index_holds(op: &str, index: u64, number: u64) -> bool {
        match op {
            "!=" => index != number,
            ">=" => index >= number,
            "<=" => index <= number,
            "=" => index == number,
            ">" => index > number,
            _ => index < number,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(name: &str) -> Option<usize> {
        ["name_en", "role", "foreign"].iter().position(|n| *n == name)
    }

    #[test]
    fn templates_split_into_text_values_and_index_arithmetic() {
        let template = Template::parse("{name_en|slug}-o{i} {{x}} {i % 50 + 365}", &names).unwrap();
        assert!(
            matches!(&template.segments[0], Segment::Value { slot: 0, part: None, filters } if filters == &[Filter::Slug])
        );
        assert!(matches!(&template.segments[1], Segment::Text(t) if t == "-o"));
        assert!(matches!(&template.segments[3], Segment::Text(t) if t == " {x} "));
        let Segment::Index(expr) = &template.segments[4] else { panic!("{template:?}") };
        assert_eq!(expr.eval(57, 0), Some(372));
        assert!(Template::parse("{missing}", &names).unwrap_err().problem.contains("not set by an earlier step"));
        assert!(Template::parse("a } b", &names).unwrap_err().problem.contains("unmatched brace"));
    }

    #[test]
    fn expressions_bind_products_tighter_than_sums() {
        assert_eq!(Expr::parse("i % 50 + 365").unwrap().eval(120, 0), Some(385));
        assert_eq!(Expr::parse("1 + i / 3").unwrap().eval(7, 0), Some(3));
        assert_eq!(Expr::parse("i % rows").unwrap().eval(7, 0), None);
        assert!(Expr::parse("i +").is_err());
        assert!(Expr::parse("j").is_err());
    }

    #[test]
    fn conditions_are_tests_joined_by_and() {
        let tests = condition("role = company and not foreign and i >= 20", &names).unwrap();
        assert!(matches!(&tests[0], Test::Equals { slot: 1, text, negate: false } if text == "company"));
        assert!(matches!(tests[1], Test::Set { slot: 2, negate: true }));
        assert!(matches!(tests[2], Test::Index { op: ">=", number: 20 }));
        assert!(condition("role >= 3", &names).is_err());
    }

    #[test]
    fn filters() {
        assert_eq!(slug("Office 365 China website"), "office-365-china-website");
        assert_eq!(Filter::Words(1).apply("Baihui Zongheng Data"), "Baihui");
        assert_eq!(Filter::Chars(2).apply("百会纵横"), "百会");
    }
}
