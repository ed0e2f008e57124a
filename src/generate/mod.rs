//! Synthetic projects for benchmarks and load tests: the same configuration,
//! mappings, ontology and questions as a real project, with CSV files of any
//! size that pass `factgraph check`.
//!
//! Every row is a pure function of the seed, its table and its index: row `i`
//! of a table draws from its own generator seeded with `(seed, table, i)`.
//! A row that points at another table therefore only needs that table's size
//! (and, for "a regulator" or "a publisher", the rule that gives an
//! organisation its role from its index) to name an id that exists, and no
//! table is ever held in memory: each is streamed through `csv::Writer`.
//!
//! The column names come from the template project's CSV headers, read at run
//! time; a header column the generator does not fill, or a column it fills
//! that the header no longer has, stops the generation with an error, so the
//! synthetic data cannot drift silently from the real data.
//!
//! Table sizes for `N` offerings (at least the minimum in brackets), chosen
//! to keep the bundled dataset's proportions of a few offerings per service
//! and several statements per offering while leaving the offerings the
//! largest table:
//!
//! | table | rows |
//! | --- | --- |
//! | offerings | N |
//! | statements | N/2 |
//! | organisations | ≈ N/4, a multiple of 20 (20) |
//! | licence-holdings | N/10 (2) |
//! | services, people, events, date-claims | N/20 (3) |
//! | websites | services/2 |
//! | agreements | N/40 (1), 3 parties each |
//! | sources | N/50 (8) |
//! | places | 9 real places + N/100 |
//! | challenges | N/500 (1), 2 demands and 3 consequences each |
//! | licence-types | N/2000 (3), 2 rules each |

use crate::project::{Project, CONFIG_FILE};
use crate::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct GenerateOptions {
    pub offerings: u64,
    pub seed: u64,
}

/// Rows written per CSV file, in the order of the template's files.
#[derive(Debug)]
pub struct GenerateReport {
    pub files: Vec<(PathBuf, u64)>,
}

impl GenerateReport {
    pub fn total_rows(&self) -> u64 {
        self.files.iter().map(|(_, rows)| rows).sum()
    }
}

/// Writes a project into `out` (which must be absent or empty): the
/// template's configuration file, mappings, ontology and queries copied, and
/// a `data/` folder with the template's CSV file names and headers filled
/// with synthetic rows for `options.offerings` offerings.
pub fn generate(template: &Project, out: &Path, options: GenerateOptions) -> Result<GenerateReport, Error> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(Error::io(out))?;
        if entries.next().is_some() {
            return Err(Error::Config {
                path: out.to_owned(),
                problem: "the folder is not empty; generate writes a whole project into a new or empty folder".into(),
            });
        }
    }
    let relative = |path: &Path, default: &str| -> PathBuf {
        path.strip_prefix(&template.root)
            .ok()
            .filter(|p| p.is_relative() && !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from(default), Path::to_owned)
    };
    std::fs::create_dir_all(out).map_err(Error::io(out))?;
    let config = template.root.join(CONFIG_FILE);
    if config.exists() {
        copy_file(&config, &out.join(CONFIG_FILE))?;
    }
    copy_dir(&template.mappings, &out.join(relative(&template.mappings, "mappings")))?;
    if template.ontology.exists() {
        copy_dir(&template.ontology, &out.join(relative(&template.ontology, "ontology")))?;
    }
    if template.queries.exists() {
        copy_dir(&template.queries, &out.join(relative(&template.queries, "queries")))?;
    }

    let data = out.join(relative(&template.data, "data"));
    std::fs::create_dir_all(&data).map_err(Error::io(&data))?;
    let sizes = Sizes::new(options.offerings);
    let mut files = Vec::new();
    for source in csv_files(&template.data)? {
        let name = source.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let table = Table::from_file_name(&name).ok_or_else(|| Error::Config {
            path: source.clone(),
            problem: "the generator does not know this CSV file; teach src/generate.rs its rows".into(),
        })?;
        let header = read_header(&source)?;
        let target = data.join(&name);
        let rows = write_table(&target, &source, &header, table, &sizes, options.seed)?;
        files.push((target, rows));
    }
    Ok(GenerateReport { files })
}

fn copy_file(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::copy(from, to).map_err(Error::io(from)).map(|_| ())
}

/// Copies a folder's files and sub-folders (not the store, which is never
/// inside these folders).
fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(Error::io(to))?;
    for entry in std::fs::read_dir(from).map_err(Error::io(from))? {
        let entry = entry.map_err(Error::io(from))?;
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()))?;
        } else {
            copy_file(&path, &to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn csv_files(folder: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(Error::io(folder))? {
        let path = entry.map_err(Error::io(folder))?.path();
        if path.extension().is_some_and(|e| e == "csv") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read_header(path: &Path) -> Result<Vec<String>, Error> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| Error::Config { path: path.to_owned(), problem: e.to_string() })?;
    let header = reader.headers().map_err(|e| Error::Config { path: path.to_owned(), problem: e.to_string() })?;
    Ok(header.iter().map(str::to_owned).collect())
}

fn write_table(
    target: &Path,
    template: &Path,
    header: &[String],
    table: Table,
    sizes: &Sizes,
    seed: u64,
) -> Result<u64, Error> {
    let file = File::create(target).map_err(Error::io(target))?;
    let mut writer = csv::Writer::from_writer(BufWriter::with_capacity(1 << 16, file));
    let csv_error = |e: csv::Error| Error::Config { path: target.to_owned(), problem: e.to_string() };
    writer.write_record(header).map_err(csv_error)?;
    let count = sizes.rows(table);
    let mut row = Row::new(header);
    let generator = Generator { sizes, seed };
    for index in 0..count {
        row.clear();
        generator.fill(table, index, &mut row);
        if let Some(problem) = row.problem() {
            return Err(Error::Config { path: template.to_owned(), problem });
        }
        writer.write_record(row.values.iter().map(|v| v.as_deref().unwrap_or(""))).map_err(csv_error)?;
    }
    let mut inner = writer.into_inner().map_err(|e| Error::Config { path: target.to_owned(), problem: e.to_string() })?;
    inner.flush().map_err(Error::io(target))?;
    Ok(count)
}

/// One row being filled, in the header's column order.
struct Row<'h> {
    header: &'h [String],
    values: Vec<Option<String>>,
    unknown: Option<&'static str>,
}

impl<'h> Row<'h> {
    fn new(header: &'h [String]) -> Self {
        Self { header, values: vec![None; header.len()], unknown: None }
    }

    fn clear(&mut self) {
        self.values.iter_mut().for_each(|v| *v = None);
        self.unknown = None;
    }

    fn set(&mut self, column: &'static str, value: impl Into<String>) {
        match self.header.iter().position(|h| h == column) {
            Some(index) => self.values[index] = Some(value.into()),
            None => self.unknown = self.unknown.or(Some(column)),
        }
    }

    /// An optional cell: empty when `value` is `None`.
    fn opt(&mut self, column: &'static str, value: Option<String>) {
        self.set(column, value.unwrap_or_default());
    }

    fn problem(&self) -> Option<String> {
        if let Some(column) = self.unknown {
            return Some(format!("the generator writes column {column:?}, which this file's header no longer has; update src/generate.rs"));
        }
        let missing = self.header.iter().zip(&self.values).find(|(_, v)| v.is_none())?;
        Some(format!("the generator does not know column {:?} of this file; update src/generate.rs", missing.0))
    }
}

/// The CSV files of the bundled project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    AgreementParties,
    Agreements,
    ChallengeConsequences,
    ChallengeDemands,
    Challenges,
    DateClaims,
    Events,
    LicenceHoldings,
    LicenceRules,
    LicenceTypes,
    Offerings,
    Organisations,
    People,
    Places,
    Services,
    Sources,
    Statements,
    Websites,
}

impl Table {
    fn from_file_name(name: &str) -> Option<Self> {
        Some(match name {
            "agreement-parties.csv" => Self::AgreementParties,
            "agreements.csv" => Self::Agreements,
            "challenge-consequences.csv" => Self::ChallengeConsequences,
            "challenge-demands.csv" => Self::ChallengeDemands,
            "challenges.csv" => Self::Challenges,
            "date-claims.csv" => Self::DateClaims,
            "events.csv" => Self::Events,
            "licence-holdings.csv" => Self::LicenceHoldings,
            "licence-rules.csv" => Self::LicenceRules,
            "licence-types.csv" => Self::LicenceTypes,
            "offerings.csv" => Self::Offerings,
            "organisations.csv" => Self::Organisations,
            "people.csv" => Self::People,
            "places.csv" => Self::Places,
            "services.csv" => Self::Services,
            "sources.csv" => Self::Sources,
            "statements.csv" => Self::Statements,
            "websites.csv" => Self::Websites,
            _ => return None,
        })
    }

    /// Mixed into each row's seed, and into its id so that ids are unique
    /// across all files (they share one IRI namespace).
    fn code(self) -> &'static str {
        match self {
            Self::AgreementParties => "ap",
            Self::Agreements => "ag",
            Self::ChallengeConsequences => "cc",
            Self::ChallengeDemands => "cd",
            Self::Challenges => "ch",
            Self::DateClaims => "dc",
            Self::Events => "ev",
            Self::LicenceHoldings => "lh",
            Self::LicenceRules => "lr",
            Self::LicenceTypes => "lt",
            Self::Offerings => "of",
            Self::Organisations => "o",
            Self::People => "pe",
            Self::Places => "pl",
            Self::Services => "sv",
            Self::Sources => "s",
            Self::Statements => "st",
            Self::Websites => "w",
        }
    }
}

/// Organisations take their role from their index modulo this cycle (see
/// [`role_of`]), so that a row can name "a regulator" by index alone.
const ROLE_CYCLE: u64 = 20;

/// Real places kept as they are in the bundled data, so that questions about
/// China (`fg:country fgr:china`) have answers; the first five are countries.
const FIXED_PLACES: [(&str, &str, Option<&str>); 9] = [
    ("china", "China", None),
    ("hong-kong", "Hong Kong", None),
    ("singapore", "Singapore", None),
    ("united-states", "United States", None),
    ("mainland-china", "mainland China", Some("china")),
    ("beijing", "Beijing", Some("mainland-china")),
    ("shanghai", "Shanghai", Some("mainland-china")),
    ("pudong-new-area", "Pudong New Area", Some("shanghai")),
    ("china-national-convention-center", "China National Convention Center", Some("beijing")),
];
const COUNTRIES: u64 = 4;

/// The bundled data's services keep their ids, so that questions about one
/// entity (`entity-facts` asks about `fgr:office-365`) have answers.
const FIXED_SERVICES: [(&str, &str); 2] = [("office-365", "Office 365"), ("windows-azure", "Windows Azure")];

#[derive(Debug)]
struct Sizes {
    offerings: u64,
    organisations: u64,
    places: u64,
    services: u64,
    websites: u64,
    agreements: u64,
    licence_types: u64,
    licence_holdings: u64,
    people: u64,
    events: u64,
    challenges: u64,
    statements: u64,
    date_claims: u64,
    sources: u64,
}

impl Sizes {
    fn new(offerings: u64) -> Self {
        let n = offerings;
        let services = (n / 20).max(3);
        Self {
            offerings: n,
            organisations: n.div_ceil(ROLE_CYCLE * 4).max(1) * ROLE_CYCLE,
            places: FIXED_PLACES.len() as u64 + n / 100,
            services,
            websites: (services / 2).max(1),
            agreements: (n / 40).max(1),
            licence_types: (n / 2000).max(3),
            licence_holdings: (n / 10).max(2),
            people: (n / 20).max(3),
            events: (n / 20).max(3),
            challenges: (n / 500).max(1),
            statements: (n / 2).max(1),
            date_claims: (n / 20).max(3),
            sources: (n / 50).max(8),
        }
    }

    fn rows(&self, table: Table) -> u64 {
        match table {
            Table::AgreementParties => self.agreements * 3,
            Table::Agreements => self.agreements,
            Table::ChallengeConsequences => self.challenges * 3,
            Table::ChallengeDemands => self.challenges * 2,
            Table::Challenges => self.challenges,
            Table::DateClaims => self.date_claims,
            Table::Events => self.events,
            Table::LicenceHoldings => self.licence_holdings,
            Table::LicenceRules => self.licence_types * 2,
            Table::LicenceTypes => self.licence_types,
            Table::Offerings => self.offerings,
            Table::Organisations => self.organisations,
            Table::People => self.people,
            Table::Places => self.places,
            Table::Services => self.services,
            Table::Sources => self.sources,
            Table::Statements => self.statements,
            Table::Websites => self.websites,
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast and good enough for
/// test data; written here so that the output depends on no crate's version.
struct Rng(u64);

impl Rng {
    fn for_row(seed: u64, table: Table, index: u64) -> Self {
        let mut code = 0u64;
        for byte in table.code().bytes() {
            code = code.wrapping_mul(131).wrapping_add(u64::from(byte));
        }
        let mut rng = Self(seed ^ code.wrapping_mul(0xA24B_AED4_963E_E407));
        rng.0 ^= rng.next().wrapping_add(index.wrapping_mul(0x9FB2_1C65_1E98_DF25));
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (which must not be 0).
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }

    /// True with the given percentage.
    fn percent(&mut self, chance: u64) -> bool {
        self.below(100) < chance
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Name parts in pinyin and in Chinese characters, as company names in the
/// sources are written (Baihui Zongheng, 百会纵横).
const NAME_PARTS: [(&str, &str); 16] = [
    ("Baihui", "百会"),
    ("Zongheng", "纵横"),
    ("Shiji", "世纪"),
    ("Hulian", "互联"),
    ("Lanyun", "蓝云"),
    ("Jinshan", "金山"),
    ("Dongfang", "东方"),
    ("Huaxin", "华信"),
    ("Tianyi", "天翼"),
    ("Zhongke", "中科"),
    ("Xinhua", "新华"),
    ("Yunhai", "云海"),
    ("Beida", "北大"),
    ("Wangsu", "网宿"),
    ("Shuguang", "曙光"),
    ("Changcheng", "长城"),
];
const COMPANY_FORMS: [(&str, &str); 5] = [
    ("Technology", "科技"),
    ("Information Technology", "信息技术"),
    ("Network", "网络"),
    ("Cloud Computing", "云计算"),
    ("Data", "数据"),
];
const FOREIGN_NAMES: [&str; 10] =
    ["Redmond", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Litware", "Adatum", "Woodgrove", "Proseware", "Wingtip"];
const SERVICE_KINDS: [&str; 8] =
    ["Office", "Cloud", "Mail", "Storage", "Compute", "Workspace", "Analytics", "Backup"];
const SURNAMES: [(&str, &str); 8] =
    [("Wang", "王"), ("Li", "李"), ("Zhang", "张"), ("Liu", "刘"), ("Chen", "陈"), ("Yang", "杨"), ("Zhao", "赵"), ("Huang", "黄")];
const GIVEN_NAMES: [(&str, &str); 8] =
    [("Wei", "伟"), ("Fang", "芳"), ("Min", "敏"), ("Jing", "静"), ("Lei", "磊"), ("Qiang", "强"), ("Yan", "艳"), ("Jun", "军")];
const ROLES: [&str; 5] = ["company", "regulator", "analyst-firm", "publisher", "government"];
const STATEMENT_KINDS: [&str; 5] = ["assessment", "speculation", "prediction", "argument", "report"];
const CONSEQUENCE_KINDS: [&str; 5] =
    ["blocking", "administrative-fine", "confiscation", "certificate-revocation", "website-closure"];
const CURRENCIES: [&str; 4] = ["CNY", "USD", "HKD", "EUR"];
const PUBLICATIONS: [&str; 6] = ["The Register", "Marbridge Daily", "Shanghai Daily", "BiaNews", "Forrester blog", "Caixin"];
/// Date-valued properties that the ontology declares as owl:DatatypeProperty
/// (fgsh:DateClaimShape requires it).
const CLAIMED_PROPERTIES: [&str; 1] = ["chinaLaunchDate"];

/// The organisation role that an index has: 13 of 20 are companies, then two
/// each of regulators, analyst firms and publishers, and one government.
fn role_of(index: u64) -> &'static str {
    match index % ROLE_CYCLE {
        0..=12 => ROLES[0],
        13 | 14 => ROLES[1],
        15 | 16 => ROLES[2],
        17 | 18 => ROLES[3],
        _ => ROLES[4],
    }
}

fn slug(text: &str) -> String {
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

fn date(rng: &mut Rng) -> String {
    format!("{}-{:02}-{:02}", 2008 + rng.below(8), 1 + rng.below(12), 1 + rng.below(28))
}

fn month(rng: &mut Rng) -> String {
    format!("{}-{:02}", 2008 + rng.below(8), 1 + rng.below(12))
}

struct Generator<'a> {
    sizes: &'a Sizes,
    seed: u64,
}

impl Generator<'_> {
    fn rng(&self, table: Table, index: u64) -> Rng {
        Rng::for_row(self.seed, table, index)
    }

    // Names and ids of each table, as pure functions of the index, so that a
    // referring row can name them.

    /// (English name, Chinese name if any) of organisation `index`.
    fn organisation_name(&self, index: u64) -> (String, Option<String>) {
        let mut rng = self.rng(Table::Organisations, index);
        let (a_en, a_zh) = *rng.pick(&NAME_PARTS);
        let (b_en, b_zh) = *rng.pick(&NAME_PARTS);
        match role_of(index) {
            "company" if rng.percent(40) => (format!("{} Corporation", rng.pick(&FOREIGN_NAMES)), None),
            "company" => {
                let (form_en, form_zh) = *rng.pick(&COMPANY_FORMS);
                (format!("{a_en} {b_en} {form_en}"), Some(format!("{a_zh}{b_zh}{form_zh}有限公司")))
            }
            "regulator" => (format!("{a_en} Bureau of Communications"), Some(format!("{a_zh}通信管理局"))),
            "analyst-firm" => (format!("{} Research", rng.pick(&FOREIGN_NAMES)), None),
            "publisher" => (format!("{a_en} {b_en} Daily"), Some(format!("{a_zh}{b_zh}日报"))),
            _ => (format!("{a_en} Municipal Government"), Some(format!("{a_zh}市人民政府"))),
        }
    }

    fn organisation_id(&self, index: u64) -> String {
        format!("{}-o{index}", slug(&self.organisation_name(index).0))
    }

    /// An organisation of `role`, chosen by `rng`.
    fn organisation_with_role(&self, rng: &mut Rng, role: &str) -> String {
        let offset = (0..ROLE_CYCLE).find(|&i| role_of(i) == role).unwrap_or(0);
        let cycles = self.sizes.organisations / ROLE_CYCLE;
        let span = (0..ROLE_CYCLE).filter(|&i| role_of(i) == role).count() as u64;
        self.organisation_id(rng.below(cycles) * ROLE_CYCLE + offset + rng.below(span))
    }

    fn any_organisation(&self, rng: &mut Rng) -> String {
        self.organisation_id(rng.below(self.sizes.organisations))
    }

    fn place_name(&self, index: u64) -> String {
        match FIXED_PLACES.get(index as usize) {
            Some((_, name, _)) => (*name).to_owned(),
            None => {
                let mut rng = self.rng(Table::Places, index);
                let (a, _) = *rng.pick(&NAME_PARTS);
                format!("{a} {}", rng.pick(&["District", "Data Centre Park", "High-Tech Zone", "City"]))
            }
        }
    }

    fn place_id(&self, index: u64) -> String {
        match FIXED_PLACES.get(index as usize) {
            Some((id, _, _)) => (*id).to_owned(),
            None => format!("{}-pl{index}", slug(&self.place_name(index))),
        }
    }

    fn any_place(&self, rng: &mut Rng) -> String {
        self.place_id(rng.below(self.sizes.places))
    }

    fn service_name(&self, index: u64) -> String {
        if let Some((_, name)) = FIXED_SERVICES.get(index as usize) {
            return (*name).to_owned();
        }
        let mut rng = self.rng(Table::Services, index);
        format!("{} {} {}", rng.pick(&FOREIGN_NAMES), rng.pick(&SERVICE_KINDS), 365 + index % 50)
    }

    fn service_id(&self, index: u64) -> String {
        if let Some((id, _)) = FIXED_SERVICES.get(index as usize) {
            return (*id).to_owned();
        }
        format!("{}-sv{index}", slug(&self.service_name(index)))
    }

    fn any_service(&self, rng: &mut Rng) -> String {
        self.service_id(rng.below(self.sizes.services))
    }

    fn website_id(&self, index: u64) -> String {
        format!("{}-china-website-w{index}", slug(&self.service_name(index % self.sizes.services)))
    }

    fn offering_id(&self, index: u64) -> String {
        let mut rng = self.rng(Table::Offerings, index);
        let service = rng.below(self.sizes.services);
        format!("{}-of{index}", slug(&self.service_name(service)))
    }

    fn agreement_id(&self, index: u64) -> String {
        format!("cloud-agreement-ag{index}")
    }

    fn licence_type_id(&self, index: u64) -> String {
        const KINDS: [&str; 3] = ["commercial-icp-licence", "value-added-telecom-licence", "non-commercial-icp-filing"];
        format!("{}-lt{index}", KINDS[(index % 3) as usize])
    }

    fn any_licence_type(&self, rng: &mut Rng) -> String {
        self.licence_type_id(rng.below(self.sizes.licence_types))
    }

    fn person_id(&self, index: u64) -> String {
        format!("analyst-pe{index}")
    }

    fn challenge_id(&self, index: u64) -> String {
        format!("licence-challenge-ch{index}")
    }

    fn source_id(&self, index: u64) -> String {
        let mut rng = self.rng(Table::Sources, index);
        let publication = rng.pick(&PUBLICATIONS);
        format!("{}-{}-s{index}", slug(publication), date(&mut rng))
    }

    fn any_source(&self, rng: &mut Rng) -> String {
        self.source_id(rng.below(self.sizes.sources))
    }

    /// `source` and, for one row in three, a different `also_source`.
    fn sources(&self, rng: &mut Rng, row: &mut Row<'_>) {
        let first = rng.below(self.sizes.sources);
        row.set("source", self.source_id(first));
        if row.header.iter().any(|h| h == "also_source") {
            let also = rng.percent(33).then(|| self.source_id((first + 1 + rng.below(self.sizes.sources - 1)) % self.sizes.sources));
            row.opt("also_source", also);
        }
    }

    /// Something a statement or an event may be about.
    fn any_subject(&self, rng: &mut Rng) -> String {
        match rng.below(4) {
            0 => self.any_service(rng),
            1 => self.any_organisation(rng),
            2 => self.challenge_id(rng.below(self.sizes.challenges)),
            _ => self.offering_id(rng.below(self.sizes.offerings)),
        }
    }

    /// Free text with the things that make CSV hard: commas, quotes, Chinese
    /// and, now and then, a line break inside the cell.
    fn prose(&self, rng: &mut Rng, subject: &str) -> String {
        let (en, zh) = *rng.pick(&NAME_PARTS);
        let mut text = match rng.below(4) {
            0 => format!("{subject}, according to the report, is offered in China; {en} ({zh}) disagrees."),
            1 => format!("The source calls {subject} \"compliant\", which {en} disputes."),
            2 => format!("{subject} is sold in renminbi, with only a non-commercial ICP filing."),
            _ => format!("Reported by {en} {zh}: {subject} was launched in March."),
        };
        if rng.percent(10) {
            text.push_str("\nA second paragraph, added later, says more.");
        }
        text
    }

    fn fill(&self, table: Table, i: u64, row: &mut Row<'_>) {
        let mut rng = self.rng(table, i);
        let rng = &mut rng;
        match table {
            Table::Organisations => {
                let (name_en, name_zh) = self.organisation_name(i);
                let role = role_of(i);
                row.set("id", self.organisation_id(i));
                let short = name_en.split(' ').next().unwrap_or_default().to_owned();
                let short_zh = name_zh.as_ref().and_then(|n| n.chars().take(2).collect::<String>().into());
                row.set("name_en", name_en.clone());
                row.opt("name_zh", name_zh);
                row.opt("short_name_en", rng.percent(40).then_some(short));
                row.opt("short_name_zh", short_zh.filter(|_| rng.percent(30)));
                row.set("role", role);
                row.opt("also_role", (role == "analyst-firm" && rng.percent(50)).then(|| "publisher".to_owned()));
                let chinese = role != "company" || rng.percent(60);
                let country = if chinese { 0 } else { 1 + rng.below(COUNTRIES - 1) };
                row.set("country", FIXED_PLACES[country as usize].0);
                row.opt("based_in", (chinese && rng.percent(50)).then(|| self.any_place(rng)));
                // A parent that is a company with a smaller index, so that
                // ownership never runs in circles.
                let parent = (role == "company" && i >= ROLE_CYCLE && rng.percent(10))
                    .then(|| self.organisation_id(rng.below(i / ROLE_CYCLE) * ROLE_CYCLE + rng.below(13)));
                row.opt("parent", parent);
                row.opt("customer_of", rng.percent(10).then(|| self.any_service(rng)));
                row.set("description_en", self.prose(rng, &name_en));
                self.sources(rng, row);
            }
            Table::Places => {
                row.set("id", self.place_id(i));
                row.set("name_en", self.place_name(i));
                let within = match FIXED_PLACES.get(i as usize) {
                    Some((_, _, within)) => within.map(str::to_owned),
                    None => Some(self.place_id(rng.below(FIXED_PLACES.len() as u64))),
                };
                row.opt("within", within);
                self.sources(rng, row);
            }
            Table::Services => {
                row.set("id", self.service_id(i));
                let name = self.service_name(i);
                row.set("name_en", name.clone());
                row.set("provider", self.organisation_with_role(rng, "company"));
                row.set("description_en", self.prose(rng, &name));
                self.sources(rng, row);
            }
            Table::Websites => {
                let service = i % self.sizes.services;
                let name = format!("{} China website", self.service_name(service));
                row.set("id", self.website_id(i));
                row.set("name_en", name.clone());
                row.set("website_of", self.service_id(service));
                row.opt("price_currency", rng.percent(90).then(|| (*rng.pick(&CURRENCIES)).to_owned()));
                row.set("description_en", self.prose(rng, &name));
                row.set("source", self.any_source(rng));
            }
            Table::Offerings => {
                let service = rng.below(self.sizes.services);
                let service_name = self.service_name(service);
                row.set("id", self.offering_id(i));
                let local_partner = rng.percent(70);
                let location = if local_partner { 4 + rng.below(self.sizes.places - 4) } else { 1 + rng.below(3) };
                let location_name = self.place_name(location);
                let operator = self.organisation_with_role(rng, "company");
                let label = if local_partner {
                    format!("{service_name} operated by a local partner in {location_name}")
                } else {
                    format!("{service_name} served from {location_name}")
                };
                row.set("label_en", label.clone());
                row.set("service", self.service_id(service));
                row.set("operator", operator);
                row.set("hosting_location", self.place_id(location));
                row.set("firewall_position", if local_partner { "inside" } else { "outside" });
                row.opt("local_partner", local_partner.then(|| self.organisation_with_role(rng, "company")));
                let agreement = (local_partner && rng.percent(80)).then(|| self.agreement_id(rng.below(self.sizes.agreements)));
                row.opt("agreement", agreement);
                row.set("description_en", self.prose(rng, &label));
                self.sources(rng, row);
            }
            Table::Agreements => {
                row.set("id", self.agreement_id(i));
                let (en, _) = *rng.pick(&NAME_PARTS);
                let label = format!("Cloud agreement of {en}, its partner and the {en} government");
                row.set("label_en", label.clone());
                row.set("date", date(rng));
                row.set("description_en", self.prose(rng, &label));
                self.sources(rng, row);
            }
            Table::AgreementParties => {
                let agreement = self.agreement_id(i / 3);
                let party = match i % 3 {
                    0 | 1 => self.organisation_with_role(rng, "company"),
                    _ => self.organisation_with_role(rng, "government"),
                };
                row.set("id", format!("{agreement}-party-ap{i}"));
                row.set("label_en", format!("{party} is a party to {agreement}"));
                row.set("agreement", agreement);
                row.set("party", party);
                row.set("source", self.any_source(rng));
            }
            Table::LicenceTypes => {
                let id = self.licence_type_id(i);
                row.set("id", id.clone());
                let name = id.rsplit_once('-').map_or(id.as_str(), |(kind, _)| kind).replace('-', " ");
                row.set("name_en", format!("{} ({i})", name.replace("icp", "ICP")));
                let issuer = rng.percent(70).then(|| self.organisation_with_role(rng, "regulator"));
                let also = (issuer.is_some() && rng.percent(30)).then(|| self.organisation_with_role(rng, "regulator"));
                row.opt("issuer", issuer);
                row.opt("also_issuer", also);
                row.set("description_en", self.prose(rng, &name));
                self.sources(rng, row);
            }
            Table::LicenceHoldings => {
                let holder = if rng.percent(90) {
                    self.organisation_with_role(rng, "company")
                } else {
                    self.website_id(rng.below(self.sizes.websites))
                };
                let licence = self.any_licence_type(rng);
                row.set("id", format!("{holder}-holds-lh{i}"));
                row.set("label_en", format!("{holder} holds {licence}"));
                row.set("holder", holder);
                row.set("licence_type", licence);
                self.sources(rng, row);
            }
            Table::LicenceRules => {
                let licence = self.licence_type_id(i / 2);
                row.set("id", format!("{licence}-rule-lr{i}"));
                row.set("licence_type", licence);
                let rule = if i % 2 == 0 {
                    "Only locally registered companies with under 50% foreign investment may apply."
                } else {
                    "Cloud providers in China need one, issued by the MIIT or its provincial bureaus."
                };
                row.set("statement_en", rule);
                row.set("source", self.any_source(rng));
            }
            Table::People => {
                let (surname_en, surname_zh) = *rng.pick(&SURNAMES);
                let (given_en, given_zh) = *rng.pick(&GIVEN_NAMES);
                row.set("id", self.person_id(i));
                let name = match rng.below(3) {
                    0 => None,
                    1 => Some(format!("{surname_en} {given_en}")),
                    _ => Some(format!("{surname_zh}{given_zh}")),
                };
                let affiliation = self.organisation_with_role(rng, "analyst-firm");
                row.set("label_en", match &name {
                    Some(_) => format!("{surname_en} {given_en}, analyst"),
                    None => format!("Analyst {i} (not named)"),
                });
                row.opt("name", name);
                row.set("affiliation", affiliation);
                row.set("description_en", "Analyst who commented on the dispute to the press, as the article reports.");
                row.set("source", self.any_source(rng));
            }
            Table::Events => {
                row.set("id", format!("event-ev{i}"));
                let about = self.any_subject(rng);
                let label = format!("Announcement about {about}");
                row.set("label_en", label.clone());
                let dated = rng.percent(80);
                row.opt("date", dated.then(|| date(rng)));
                row.opt("month", (!dated).then(|| month(rng)));
                row.set("about", about);
                row.opt("actor", rng.percent(70).then(|| self.any_organisation(rng)));
                row.set("description_en", self.prose(rng, &label));
                row.set("source", self.any_source(rng));
            }
            Table::Challenges => {
                let challenger = self.organisation_with_role(rng, "company");
                let target = self.organisation_with_role(rng, "company");
                let service = self.any_service(rng);
                let label = format!("{challenger} challenges the legality of {service} in China");
                row.set("id", self.challenge_id(i));
                row.set("label_en", label.clone());
                row.set("challenger", challenger);
                row.set("target", target);
                row.opt("addressed_to", rng.percent(60).then(|| self.organisation_with_role(rng, "company")));
                row.set("service", service);
                row.set("date", date(rng));
                row.opt("venue", rng.percent(70).then(|| self.any_place(rng)));
                row.opt("open_letter", rng.percent(70).then(|| self.any_source(rng)));
                row.set("description_en", self.prose(rng, &label));
                self.sources(rng, row);
            }
            Table::ChallengeDemands => {
                let licence = self.any_licence_type(rng);
                row.set("id", format!("demand-cd{i}"));
                row.set("challenge", self.challenge_id(i / 2));
                row.set("licence_type", licence.clone());
                row.set("label_en", format!("Proof of {licence}"));
                row.set("description_en", self.prose(rng, &licence));
                self.sources(rng, row);
            }
            Table::ChallengeConsequences => {
                let kind = *rng.pick(&CONSEQUENCE_KINDS);
                row.set("id", format!("threat-{kind}-cc{i}"));
                row.set("challenge", self.challenge_id(i / 3));
                row.set("kind", kind);
                let affects = match rng.below(3) {
                    0 => Some(self.website_id(rng.below(self.sizes.websites))),
                    1 => Some(self.any_service(rng)),
                    _ => None,
                };
                row.opt("affects", affects);
                row.set("label_en", format!("Threat of {}", kind.replace('-', " ")));
                row.set("description_en", self.prose(rng, kind));
                self.sources(rng, row);
            }
            Table::Statements => {
                let speaker = if rng.percent(40) {
                    self.person_id(rng.below(self.sizes.people))
                } else {
                    self.any_organisation(rng)
                };
                let about = self.any_subject(rng);
                let also_about = rng.percent(30).then(|| self.any_subject(rng)).filter(|a| *a != about);
                let kind = *rng.pick(&STATEMENT_KINDS);
                row.set("id", format!("statement-st{i}"));
                row.set("label_en", format!("{speaker}: {kind} about {about}"));
                row.set("speaker", speaker);
                row.opt("stated_to", rng.percent(60).then(|| self.organisation_with_role(rng, "publisher")));
                row.set("date", date(rng));
                row.set("about", about.clone());
                row.opt("also_about", also_about);
                row.set("kind", kind);
                let quote = rng.percent(40).then(|| {
                    format!("I reckon {about} would have \"double-ticked\" all the boxes, before, not after, the deal")
                });
                row.opt("quote_en", quote);
                row.set("summary_en", self.prose(rng, &about));
                self.sources(rng, row);
            }
            Table::DateClaims => {
                let subject = if rng.percent(50) {
                    self.any_service(rng)
                } else {
                    self.offering_id(rng.below(self.sizes.offerings))
                };
                let by = self.organisation_with_role(rng, "publisher");
                let property = *rng.pick(&CLAIMED_PROPERTIES);
                let exact = rng.percent(60);
                row.set("id", format!("launch-claim-dc{i}"));
                row.set("label_en", format!("{by}: {subject} launched in China"));
                row.set("subject", subject.clone());
                row.set("property", property);
                row.opt("claimed_date", exact.then(|| date(rng)));
                row.opt("claimed_month", (!exact).then(|| month(rng)));
                row.set("claimed_by", by);
                row.set("claim_en", format!("{subject} was launched in China, the source says, on that date."));
                row.set("source", self.any_source(rng));
            }
            Table::Sources => {
                let id = self.source_id(i);
                // The id's own draws (publication, date) come first, so the
                // row re-draws them in the same order.
                let publication = *rng.pick(&PUBLICATIONS);
                let published = date(rng);
                let chinese = rng.percent(20);
                row.set("id", id.clone());
                row.set("label", format!("{publication}, {published}"));
                row.opt("publisher", rng.percent(90).then(|| self.organisation_with_role(rng, "publisher")));
                row.set("publisher_name", if rng.percent(20) { format!("{publication} (via \"{}\", reprinted)", PUBLICATIONS[0]) } else { publication.to_owned() });
                let (en, zh) = *rng.pick(&NAME_PARTS);
                row.opt("title_en", (!chinese || rng.percent(30)).then(|| format!("{en} challenges legality of cloud service, asks: show us your licence")));
                row.opt("title_zh", chinese.then(|| format!("{zh}坚持质疑云服务属非法经营")));
                row.opt("date", rng.percent(90).then(|| published.clone()));
                row.set("address", format!("https://news.example.com/{}/{id}", published.replace('-', "/")));
                row.set("language", if chinese { "zh" } else { "en" });
                row.opt("note", rng.percent(50).then(|| "News article, only the body is used; the \"headlines\" are not.".to_owned()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_a_function_of_seed_table_and_index() {
        let a: Vec<u64> = (0..4).map(|i| Rng::for_row(7, Table::Offerings, i).next()).collect();
        let b: Vec<u64> = (0..4).map(|i| Rng::for_row(7, Table::Offerings, i).next()).collect();
        assert_eq!(a, b);
        assert_ne!(Rng::for_row(7, Table::Offerings, 0).next(), Rng::for_row(8, Table::Offerings, 0).next());
        assert_ne!(Rng::for_row(7, Table::Offerings, 0).next(), Rng::for_row(7, Table::Statements, 0).next());
    }

    #[test]
    fn organisations_of_a_role_have_that_role() {
        let sizes = Sizes::new(1000);
        let generator = Generator { sizes: &sizes, seed: 1 };
        let mut rng = Rng(3);
        for role in ROLES {
            for _ in 0..50 {
                let id = generator.organisation_with_role(&mut rng, role);
                let index: u64 = id.rsplit_once("-o").unwrap().1.parse().unwrap();
                assert!(index < sizes.organisations);
                assert_eq!(role_of(index), role);
            }
        }
    }

    #[test]
    fn source_ids_are_lowercase_words_joined_by_dashes() {
        let sizes = Sizes::new(100);
        let generator = Generator { sizes: &sizes, seed: 5 };
        for i in 0..sizes.sources {
            let id = generator.source_id(i);
            assert!(id.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())), "{id}");
        }
    }
}
