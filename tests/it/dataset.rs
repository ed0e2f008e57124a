//! The bundled dataset (data/, mappings/, ontology/, queries/): it is built
//! once with the real binary, then every named question must give exactly the
//! answer the sources support, every data row must cite a known source, and
//! the ontology must declare every term of its own that the graph uses.
//!
//! The expected answers are written from the sources (the article of The
//! Register of 2013-03-15 and the facts in the seed's other sources), not
//! copied from what the queries return.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const FG: &str = "https://w3id.org/factgraph/ontology#";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> PathBuf {
    root().join("factgraph.toml")
}

/// The store the bundled data is built into, once for all tests of this file.
fn store() -> &'static Path {
    static STORE: OnceLock<PathBuf> = OnceLock::new();
    STORE.get_or_init(|| {
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        remove_stale_stores(scratch);
        let dir = tempfile::Builder::new()
            .prefix("dataset-store-")
            .tempdir_in(scratch)
            .expect("temporary store folder")
            .keep();
        let config = config();
        factgraph(&["--config", path_str(&config), "build", "--quiet", "--store", path_str(&dir)]);
        dir
    })
}

/// Stores left by earlier runs (a static is never dropped, so its folder
/// stays); anything older than an hour is finished with.
fn remove_stale_stores(scratch: &Path) {
    let Ok(entries) = std::fs::read_dir(scratch) else { return };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if old && entry.file_name().to_string_lossy().starts_with("dataset-store-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs the binary from a neutral folder; asserts success, returns stdout.
fn factgraph(args: &[&str]) -> String {
    crate::common::run_ok(Path::new(env!("CARGO_TARGET_TMPDIR")), args)
}

/// The header and rows of a named question's answer, as CSV.
fn answer(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let config = config();
    let text =
        factgraph(&["query", name, "--format", "csv", "--store", path_str(store()), "--config", path_str(&config)]);
    split_header(parse_csv(&text))
}

/// The header and rows of the answer to SPARQL text.
fn sparql(query: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let config = config();
    let text = factgraph(&[
        "query",
        "--sparql",
        query,
        "--format",
        "csv",
        "--store",
        path_str(store()),
        "--config",
        path_str(&config),
    ]);
    split_header(parse_csv(&text))
}

fn split_header(mut rows: Vec<Vec<String>>) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(!rows.is_empty(), "a CSV answer has a header line");
    let header = rows.remove(0);
    (header, rows)
}

/// Asserts a named question's whole answer: the columns, then every row in order.
fn assert_answer(name: &str, columns: &[&str], expected: &[&[&str]]) {
    let (header, rows) = answer(name);
    assert_eq!(header, columns, "columns of {name}");
    let expected: Vec<Vec<String>> =
        expected.iter().map(|row| row.iter().map(|cell| cell.to_string()).collect()).collect();
    for (index, (got, want)) in rows.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "{name}: row {} differs", index + 1);
    }
    assert_eq!(rows.len(), expected.len(), "{name}: number of rows; got {rows:#?}");
}

/// RFC 4180 CSV: fields in double quotes may hold commas, doubled quotes and
/// line breaks; records end with CRLF or LF.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// A data file as maps from column name to value, one per row.
fn read_data(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("data file readable");
    let mut records = parse_csv(text.trim_start_matches('\u{feff}'));
    assert!(!records.is_empty(), "{} has a header", path.display());
    let header = records.remove(0);
    records
        .into_iter()
        .enumerate()
        .map(|(index, record)| {
            assert_eq!(record.len(), header.len(), "{} line {}: number of fields", path.display(), index + 2);
            header.iter().cloned().zip(record).collect()
        })
        .collect()
}

fn data_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("data"))
        .expect("data folder")
        .map(|entry| entry.expect("data entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
}

fn source_ids() -> BTreeSet<String> {
    read_data(&root().join("data/sources.csv")).into_iter().map(|row| row["id"].clone()).collect()
}

// ---------------------------------------------------------------------------
// The named questions
// ---------------------------------------------------------------------------

/// The article: Microsoft offers Office 365 in China "either from data centres
/// outside the Great Firewall, in Hong Kong and Singapore, or from local
/// partner 21Vianet". Only the first way has no local partner.
#[test]
fn offerings_without_local_partner() {
    assert_answer(
        "offerings-without-local-partner",
        &["offering", "service", "provider", "operator", "hostingLocation", "firewallPosition", "source"],
        &[
            &[
                "Office 365 served by Microsoft from Hong Kong",
                "Office 365",
                "Microsoft",
                "Microsoft",
                "Hong Kong",
                "outside the Great Firewall",
                "reg-2013-03-15",
            ],
            &[
                "Office 365 served by Microsoft from Singapore",
                "Office 365",
                "Microsoft",
                "Microsoft",
                "Singapore",
                "outside the Great Firewall",
                "reg-2013-03-15",
            ],
        ],
    );
}

/// Baihui demanded proof of a commercial ICP licence and of permission for a
/// cross-border telecoms service; no source says Microsoft holds either.
#[test]
fn demanded_licences_without_evidence() {
    let challenge = "Baihui Zongheng challenges the legality of Office 365 in China";
    assert_answer(
        "demanded-licences-without-evidence",
        &["challenge", "target", "licence", "demand"],
        &[
            &[challenge, "Microsoft", "Commercial ICP licence", "Proof of a commercial ICP licence"],
            &[
                challenge,
                "Microsoft",
                "Cross-border telecommunications permission",
                "Proof of a cross-border telecommunications permission",
            ],
        ],
    );
}

/// Press conference at the China National Convention Center on Thursday
/// 14 March 2013; the letter to Microsoft (China) Co., Ltd.; two demands; the
/// threat of blocking and the four penalties the letter lists.
#[test]
fn challenges() {
    let head = [
        "2013-03-14",
        "Baihui Zongheng Technology",
        "Microsoft",
        "Microsoft (China) Co., Ltd.",
        "Office 365",
        "China National Convention Center",
    ];
    let row = |aspect: &'static str, detail: &'static str| -> Vec<&'static str> {
        let mut row = head.to_vec();
        row.extend([aspect, detail]);
        row
    };
    let expected = [
        row("demands proof of", "Commercial ICP licence"),
        row("demands proof of", "Cross-border telecommunications permission"),
        row("threatens", "Administrative fines"),
        row("threatens", "Closure of the Office 365 China website"),
        row("threatens", "Confiscation of illegal income"),
        row("threatens", "Office 365 blocked in China"),
        row("threatens", "Revocation of the foreign-invested enterprise certificate"),
    ];
    let expected: Vec<&[&str]> = expected.iter().map(Vec::as_slice).collect();
    assert_answer(
        "challenges",
        &["date", "challenger", "target", "addressedTo", "service", "venue", "aspect", "detail"],
        &expected,
    );
}

/// The IDC analyst's three quotations in the article (the first one about the
/// option served from outside China, hence both offshore offerings) and
/// Forrester's prediction on its blog.
#[test]
fn analyst_statements() {
    let idc = ["2013-03-15", "IDC analyst (not named)", "IDC", "The Register"];
    let no_risk_quote = "unless a Chinese customer takes the second option [served from data centres outside of China], there should be no risk of having access blocked";
    let no_risk_summary = "Unless a customer in China uses Office 365 from data centres outside China, there should be no risk of access being blocked.";
    assert_answer(
        "analyst-statements",
        &["date", "speaker", "affiliation", "publication", "about", "kind", "quote", "summary"],
        &[
            &[
                "2012-12-17",
                "Forrester",
                "Forrester",
                "Forrester",
                "Microsoft",
                "prediction",
                "",
                "Other multinational cloud providers are expected to follow Microsoft in partnering with a local holder of a value-added telecommunications licence.",
            ],
            &[
                idc[0],
                idc[1],
                idc[2],
                idc[3],
                "Baihui Zongheng challenges the legality of Office 365 in China",
                "speculation",
                "Also, in a month of constant news about hacking, China, and assorted scare stories maybe the Baihui speech was prompted by some government request.",
                "In a month of news about hacking, the Baihui speech may have been prompted by a government request.",
            ],
            &[
                idc[0],
                idc[1],
                idc[2],
                idc[3],
                "Microsoft",
                "assessment",
                "I reckon Microsoft would have double-ticked all the boxes before doing the 21Vianet deal. It's possible/probable there are others who have not been so diligent",
                "Microsoft will have checked every requirement before the 21Vianet deal; other providers may not have been so diligent.",
            ],
            &[
                idc[0],
                idc[1],
                idc[2],
                idc[3],
                "Office 365 served by Microsoft from Hong Kong",
                "assessment",
                no_risk_quote,
                no_risk_summary,
            ],
            &[
                idc[0],
                idc[1],
                idc[2],
                idc[3],
                "Office 365 served by Microsoft from Singapore",
                "assessment",
                no_risk_quote,
                no_risk_summary,
            ],
        ],
    );
}

/// Forrester: 21Vianet holds a value-added telecommunications licence, issued
/// by the MIIT or its provincial bureaus.
#[test]
fn local_partner_licences() {
    let licence = "Value-added telecommunications licence";
    assert_answer(
        "local-partner-licences",
        &["partner", "licence", "issuer", "source"],
        &[
            &["21Vianet Group", licence, "Ministry of Industry and Information Technology", "forrester-2012-12-17"],
            &["21Vianet Group", licence, "Provincial bureaus of the MIIT", "forrester-2012-12-17"],
        ],
    );
}

/// What the IDC analyst and The Register said about the offering served from
/// outside the Great Firewall: no blocking risk except for it, extra scrutiny,
/// multinationals worst affected by an investigation.
#[test]
fn offshore_offering_risks() {
    let idc = "Unless a customer in China uses Office 365 from data centres outside China, there should be no risk of access being blocked.";
    let investigation = "If Microsoft's provision of Office 365 from outside the Great Firewall were investigated, foreign multinationals in China would be worst affected, as they are the most likely to want their data stored out of the authorities' reach.";
    let scrutiny = "Of the two ways to use Office 365 in China, the one served from outside the Great Firewall may come in for extra scrutiny.";
    let hk = "Office 365 served by Microsoft from Hong Kong";
    let sg = "Office 365 served by Microsoft from Singapore";
    assert_answer(
        "offshore-offering-risks",
        &["offering", "hostingLocation", "speaker", "date", "kind", "summary"],
        &[
            &[hk, "Hong Kong", "IDC analyst (not named)", "2013-03-15", "assessment", idc],
            &[hk, "Hong Kong", "The Register", "2013-03-15", "prediction", investigation],
            &[hk, "Hong Kong", "The Register", "2013-03-15", "speculation", scrutiny],
            &[sg, "Singapore", "IDC analyst (not named)", "2013-03-15", "assessment", idc],
            &[sg, "Singapore", "The Register", "2013-03-15", "prediction", investigation],
            &[sg, "Singapore", "The Register", "2013-03-15", "speculation", scrutiny],
        ],
    );
}

/// The Register: launched "last November"; Marbridge: announced to Chinese
/// enterprise clients on 28 February 2013. Both claims stay.
#[test]
fn source_disagreements() {
    assert_answer(
        "source-disagreements",
        &["subject", "property", "value", "claimedBy", "source", "sourceDate", "claim"],
        &[
            &[
                "Office 365",
                "launch date in China",
                "2012-11",
                "The Register",
                "reg-2013-03-15",
                "2013-03-15",
                "Microsoft launched Office 365 in China last November (November 2012).",
            ],
            &[
                "Office 365",
                "launch date in China",
                "2013-02-28",
                "Marbridge Consulting",
                "marbridge-2013-03-14",
                "2013-03-14",
                "Microsoft announced Office 365 to prospective Chinese enterprise clients on 28 February 2013.",
            ],
        ],
    );
}

/// Everything about Office 365 (the default entity of the question): its own
/// row, the three offerings of it, the customer, the web site, the challenge,
/// the two launch-date claims and the statements about it.
#[test]
fn entity_facts() {
    let o365 = "Office 365";
    assert_answer(
        "entity-facts",
        &["fact", "property", "value", "source"],
        &[
            &["Baihui Zongheng Technology", "customer of", o365, "marbridge-2013-03-14"],
            &["Baihui Zongheng Technology", "customer of", o365, "reg-2013-03-15"],
            &[
                "Baihui Zongheng challenges the legality of Office 365 in China",
                "challenged service",
                o365,
                "baihui-letter-2013-03-14",
            ],
            &[
                "Baihui Zongheng challenges the legality of Office 365 in China",
                "challenged service",
                o365,
                "marbridge-2013-03-14",
            ],
            &[
                "Baihui Zongheng: Office 365 is a value-added telecommunications service",
                "about",
                o365,
                "baihui-letter-2013-03-14",
            ],
            &[
                "Marbridge Daily: Office 365 announced to Chinese enterprise clients on 28 February 2013",
                "claim subject",
                o365,
                "marbridge-2013-03-14",
            ],
            &[o365, "description", "Microsoft's cloud office suite for businesses.", "reg-2013-03-15"],
            &[o365, "name", o365, "reg-2013-03-15"],
            &[o365, "provider", "Microsoft", "reg-2013-03-15"],
            &["Office 365 China website", "web site of", o365, "baihui-letter-2013-03-14"],
            &["Office 365 operated by 21Vianet in mainland China", "service", o365, "reg-2013-03-15"],
            &["Office 365 operated by 21Vianet in mainland China", "service", o365, "shanghaidaily-2012-11-02"],
            &["Office 365 served by Microsoft from Hong Kong", "service", o365, "reg-2013-03-15"],
            &["Office 365 served by Microsoft from Singapore", "service", o365, "reg-2013-03-15"],
            &[
                "The Register: Microsoft will have met the requirements before launching",
                "about",
                o365,
                "reg-2013-03-15",
            ],
            &["The Register: Office 365 launched in China in November 2012", "claim subject", o365, "reg-2013-03-15"],
            &["The Register: blocking would leave countless businesses in the lurch", "about", o365, "reg-2013-03-15"],
        ],
    );
}

/// Forrester: value-added telecommunications licences are issued by the MIIT
/// or its provincial bureaus. No source names the issuer of the other types.
#[test]
fn regulators_and_licences() {
    let miit = "Ministry of Industry and Information Technology";
    let licence = "Value-added telecommunications licence";
    assert_answer(
        "regulators-and-licences",
        &["regulator", "partOf", "licence"],
        &[&[miit, "", licence], &["Provincial bureaus of the MIIT", miit, licence]],
    );
}

/// Chinese names as the letter gives them; a country only where a source
/// says it (Microsoft's US headquarters; Beijing, Shanghai and Chinese
/// licences for the Chinese organisations).
#[test]
fn organisations_by_role() {
    assert_answer(
        "organisations-by-role",
        &["role", "organisation", "chineseName", "country"],
        &[
            &["analyst firm", "Forrester", "", ""],
            &["analyst firm", "IDC", "", ""],
            &["analyst firm", "Marbridge Consulting", "", "China"],
            &["company", "21Vianet Group", "", "China"],
            &["company", "Baihui Zongheng Technology", "百会纵横", "China"],
            &["company", "Beijing 21Vianet Broadband Data Center Co., Ltd.", "", "China"],
            &["company", "Microsoft", "", "United States"],
            &["company", "Microsoft (China) Co., Ltd.", "微软(中国)有限公司", "China"],
            &["company", "Shanghai Blue Cloud Technology Co., Ltd.", "", "China"],
            &["government", "Shanghai Municipal Government", "", "China"],
            &["publisher", "BiaNews", "", "China"],
            &["publisher", "Forrester", "", ""],
            &["publisher", "Marbridge Consulting", "", "China"],
            &["publisher", "Shanghai Daily", "", ""],
            &["publisher", "The Register", "", ""],
            &["regulator", "Ministry of Industry and Information Technology", "", "China"],
            &["regulator", "Provincial bureaus of the MIIT", "", "China"],
        ],
    );
}

/// Agreement of 1 November 2012, the two claimed launch dates, the challenge
/// of 14 March 2013, no comment on 15 March, the letter republished on
/// 19 March, Windows Azure's public beta in May 2013.
#[test]
fn dispute_timeline() {
    let agreement = "Cloud agreement of Microsoft, 21Vianet and the Shanghai Municipal Government";
    let challenge = "Baihui Zongheng challenges the legality of Office 365 in China";
    assert_answer(
        "dispute-timeline",
        &["date", "kind", "event", "source"],
        &[
            &["2012-11", "Date claim", "The Register: Office 365 launched in China in November 2012", "reg-2013-03-15"],
            &["2012-11-01", "Agreement", agreement, "forrester-2012-12-17"],
            &["2012-11-01", "Agreement", agreement, "shanghaidaily-2012-11-02"],
            &[
                "2013-02-28",
                "Date claim",
                "Marbridge Daily: Office 365 announced to Chinese enterprise clients on 28 February 2013",
                "marbridge-2013-03-14",
            ],
            &["2013-03-14", "Challenge", challenge, "baihui-letter-2013-03-14"],
            &["2013-03-14", "Challenge", challenge, "marbridge-2013-03-14"],
            &["2013-03-15", "Event", "Microsoft could not immediately be reached for comment", "reg-2013-03-15"],
            &["2013-03-19", "Event", "Baihui Zongheng's open letter republished online", "baihui-letter-2013-03-14"],
            &["2013-05", "Event", "Windows Azure operated by 21Vianet announced for public beta", "reg-2013-05-22"],
        ],
    );
}

#[test]
fn statement_and_claim_sources() {
    let reg = ["reg-2013-03-15", "The Register", "2013-03-15"];
    let letter = [
        "baihui-letter-2013-03-14",
        "Baihui Zongheng (open letter, in Chinese, republished online 2013-03-19)",
        "2013-03-14",
    ];
    let row = |kind: &'static str, item: &'static str, source: [&'static str; 3]| -> Vec<&'static str> {
        vec![kind, item, source[0], source[1], source[2]]
    };
    let expected = [
        row(
            "Date claim",
            "Marbridge Daily: Office 365 announced to Chinese enterprise clients on 28 February 2013",
            ["marbridge-2013-03-14", "Marbridge Daily (Marbridge Consulting), citing BiaNews", "2013-03-14"],
        ),
        row("Date claim", "The Register: Office 365 launched in China in November 2012", reg),
        row("Statement", "Baihui Zongheng: Office 365 is a value-added telecommunications service", letter),
        row(
            "Statement",
            "Baihui Zongheng: the Office 365 China website sells in renminbi with only a non-commercial ICP filing",
            letter,
        ),
        row(
            "Statement",
            "Forrester: other multinational cloud providers will follow Microsoft",
            ["forrester-2012-12-17", "Forrester (blog)", "2012-12-17"],
        ),
        row("Statement", "IDC analyst: Microsoft will have met every requirement before the 21Vianet deal", reg),
        row("Statement", "IDC analyst: no risk of blocking unless served from outside China", reg),
        row("Statement", "IDC analyst: the Baihui speech may have been prompted by a government request", reg),
        row(
            "Statement",
            "The Register: Google, Amazon and Rackspace had no cloud presence in China",
            ["reg-2013-05-22", "The Register", "2013-05-22"],
        ),
        row("Statement", "The Register: Microsoft has a fairly good relationship with the Chinese authorities", reg),
        row("Statement", "The Register: Microsoft will have met the requirements before launching", reg),
        row("Statement", "The Register: blocking would leave countless businesses in the lurch", reg),
        row("Statement", "The Register: foreign multinationals would be worst affected", reg),
        row("Statement", "The Register: partnering locally avoids such problems", reg),
        row("Statement", "The Register: the offshore option may come in for extra scrutiny", reg),
    ];
    let expected: Vec<&[&str]> = expected.iter().map(Vec::as_slice).collect();
    assert_answer("statement-and-claim-sources", &["kind", "item", "source", "publisher", "published"], &expected);
}

#[test]
fn facts_per_source() {
    assert_answer(
        "facts-per-source",
        &["source", "publisher", "title", "published", "facts"],
        &[
            &[
                "reg-2013-03-15",
                "The Register",
                "Beijing IT biz taunts Microsoft: Show us your licence for Office 365",
                "2013-03-15",
                "33",
            ],
            &[
                "marbridge-2013-03-14",
                "Marbridge Daily (Marbridge Consulting), citing BiaNews",
                "Baihui Zongheng Challenges Legality of Microsoft's Office 365",
                "2013-03-14",
                "14",
            ],
            &[
                "baihui-letter-2013-03-14",
                "Baihui Zongheng (open letter, in Chinese, republished online 2013-03-19)",
                "百会坚持质疑微软Office 365属非法经营",
                "2013-03-14",
                "12",
            ],
            &[
                "shanghaidaily-2012-11-02",
                "Shanghai Daily (via People's Daily Online)",
                "Microsoft picks Shanghai for cloud computing",
                "2012-11-02",
                "12",
            ],
            &[
                "forrester-2012-12-17",
                "Forrester (blog)",
                "Microsoft Public Cloud Services Land In Mainland China",
                "2012-12-17",
                "11",
            ],
            &["azurecn-operation", "Azure China documentation", "Azure China Operation", "", "5"],
            &["reg-2013-05-22", "The Register", "Microsoft floats Azure cloud into China", "2013-05-22", "3"],
        ],
    );
}

/// The counts of facts-per-source are the rows of data/ that cite each
/// source (each row is one fact resource with its own identifier).
#[test]
fn facts_per_source_agrees_with_the_csv_files() {
    let mut cited: BTreeMap<String, usize> = source_ids().into_iter().map(|id| (id, 0)).collect();
    for file in data_files() {
        for row in read_data(&file) {
            for column in ["source", "also_source"] {
                if let Some(id) = row.get(column).filter(|id| !id.is_empty()) {
                    *cited.get_mut(id).expect("known source") += 1;
                }
            }
        }
    }
    let (_, rows) = answer("facts-per-source");
    let counted: BTreeMap<String, usize> =
        rows.iter().map(|row| (row[0].clone(), row[4].parse().expect("a count"))).collect();
    assert_eq!(counted, cited);
}

#[test]
fn offerings_in_china() {
    let agreement = "Cloud agreement of Microsoft, 21Vianet and the Shanghai Municipal Government";
    assert_answer(
        "offerings-in-china",
        &["offering", "service", "operator", "hostingLocation", "firewallPosition", "localPartner", "agreement"],
        &[
            &[
                "Office 365 operated by 21Vianet in mainland China",
                "Office 365",
                "21Vianet Group",
                "Pudong New Area",
                "inside the Great Firewall",
                "21Vianet Group",
                agreement,
            ],
            &[
                "Office 365 served by Microsoft from Hong Kong",
                "Office 365",
                "Microsoft",
                "Hong Kong",
                "outside the Great Firewall",
                "",
                "",
            ],
            &[
                "Office 365 served by Microsoft from Singapore",
                "Office 365",
                "Microsoft",
                "Singapore",
                "outside the Great Firewall",
                "",
                "",
            ],
            &[
                "Windows Azure operated by 21Vianet in mainland China",
                "Windows Azure",
                "21Vianet Group",
                "Pudong New Area",
                "inside the Great Firewall",
                "21Vianet Group",
                agreement,
            ],
        ],
    );
}

/// Every .rq file is a named question with a title line and a description,
/// and `factgraph queries` lists it with that title.
#[test]
fn every_question_has_a_title_and_is_listed() {
    let config = config();
    let listing = factgraph(&["--config", path_str(&config), "queries"]);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root().join("queries")).expect("queries folder") {
        let path = entry.expect("query entry").path();
        if path.extension().is_none_or(|e| e != "rq") {
            continue;
        }
        let name = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 name").to_owned();
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}: lowercase-with-dashes"
        );
        let text = std::fs::read_to_string(&path).expect("query readable");
        let mut lines = text.lines();
        let title = lines.next().and_then(|l| l.strip_prefix("# ")).unwrap_or_else(|| panic!("{name}: no title"));
        assert!(lines.next().is_some_and(|l| l.starts_with("# ")), "{name}: no description line");
        assert!(text.contains("ORDER BY"), "{name}: answers must be ordered");
        let listed = listing.lines().any(|line| line.starts_with(&name) && line.trim_end().ends_with(title));
        assert!(listed, "{name} ({title}) is not listed by `factgraph queries`:\n{listing}");
        names.push(name);
    }
    assert!(names.len() >= 12, "at least twelve questions, found {names:?}");
}

// ---------------------------------------------------------------------------
// The data and the ontology
// ---------------------------------------------------------------------------

/// Every row cites a source (`source`, and `also_source` when filled) that is
/// a row of data/sources.csv.
#[test]
fn every_row_cites_a_known_source() {
    let known = source_ids();
    assert_eq!(known.len(), 7, "the seven sources of the seed");
    let mut checked = 0;
    for file in data_files() {
        let rows = read_data(&file);
        let Some(first) = rows.first() else { continue };
        if !first.contains_key("source") {
            assert!(file.ends_with("sources.csv"), "{} has no source column", file.display());
            continue;
        }
        for (index, row) in rows.iter().enumerate() {
            let line = index + 2;
            assert!(!row["source"].is_empty(), "{}:{line}: empty source", file.display());
            for column in ["source", "also_source"] {
                if let Some(id) = row.get(column).filter(|id| !id.is_empty()) {
                    assert!(
                        known.contains(id),
                        "{}:{line}: {column} {id:?} is not in data/sources.csv",
                        file.display()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 80, "only {checked} citations checked");
}

/// Resources get IRIs https://w3id.org/factgraph/cn-cloud/{id} whatever
/// their kind, so an id must be unique across all data files.
#[test]
fn identifiers_are_unique_across_files() {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for file in data_files() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for row in read_data(&file) {
            let id = row["id"].clone();
            assert!(
                !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}: id {id:?} is not lowercase-with-dashes"
            );
            if let Some(other) = seen.insert(id.clone(), name.clone()) {
                panic!("id {id:?} is in both {other} and {name}");
            }
        }
    }
}

/// The page around the article (other headlines, advertising) is not material.
#[test]
fn no_page_furniture_in_the_data() {
    let furniture = [
        "Oracle",
        "Ellison",
        "Sparc",
        "SHELLSHOCKER",
        "Ello",
        "DDoS",
        "Rotatable",
        "ForgeRock",
        "Tegile",
        "Mizuno",
        "SSL",
        "HPC",
    ];
    for file in data_files() {
        let text = std::fs::read_to_string(&file).expect("data file readable");
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            assert!(!furniture.contains(&word), "{} mentions {word:?}", file.display());
        }
    }
}

/// Every predicate and class the graph uses comes from a known vocabulary,
/// and each one of our own namespace is declared by the ontology with the
/// right kind.
#[test]
fn ontology_declares_every_term_the_graph_uses() {
    let external = [
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2002/07/owl#",
        "http://purl.org/dc/terms/",
        "http://xmlns.com/foaf/0.1/",
        "http://www.w3.org/ns/org#",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/2004/02/skos/core#",
        "https://schema.org/",
    ];
    let (_, predicates) = sparql(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>
         SELECT ?term (SAMPLE(?declared) AS ?kind) WHERE {
           { SELECT DISTINCT ?term WHERE { ?s ?term ?o } }
           OPTIONAL { ?term a ?declared . FILTER(?declared IN (owl:ObjectProperty, owl:DatatypeProperty)) }
         } GROUP BY ?term ORDER BY ?term",
    );
    let (_, classes) = sparql(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>
         SELECT ?term (SAMPLE(?declared) AS ?kind) WHERE {
           { SELECT DISTINCT ?term WHERE { ?s a ?term } }
           OPTIONAL { ?term a ?declared . FILTER(?declared = owl:Class) }
         } GROUP BY ?term ORDER BY ?term",
    );
    let mut own = 0;
    for (what, rows) in [("predicate", &predicates), ("class", &classes)] {
        assert!(!rows.is_empty(), "no {what} in the graph");
        for row in rows {
            let (term, kind) = (&row[0], &row[1]);
            if term.starts_with(FG) {
                assert!(!kind.is_empty(), "{what} {term} is used but the ontology does not declare it");
                own += 1;
            } else {
                assert!(external.iter().any(|ns| term.starts_with(ns)), "{what} {term} is from no known vocabulary");
            }
        }
    }
    assert!(own >= 40, "only {own} terms of our own are used");
}

/// Every property of a fact resource has an English label (the ontology gives
/// one to the reused terms too), so that entity-facts, which names properties
/// by their labels, leaves none out; rdf:type is the one it skips on purpose.
#[test]
fn every_property_of_a_fact_has_a_label() {
    let (_, unlabelled) = sparql(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
         PREFIX dct: <http://purl.org/dc/terms/>
         SELECT DISTINCT ?p WHERE {
           ?s dct:source ?source ; ?p ?o .
           MINUS { ?p rdfs:label ?label . FILTER(lang(?label) = \"en\") }
         } ORDER BY ?p",
    );
    assert_eq!(unlabelled, [["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]]);
}

/// Every class and property the ontology defines has an English label and
/// comment.
#[test]
fn ontology_terms_are_documented() {
    let (_, undocumented) = sparql(&format!(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>
         PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
         SELECT ?term WHERE {{
           VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty }}
           ?term a ?kind . FILTER(STRSTARTS(STR(?term), \"{FG}\"))
           MINUS {{ ?term rdfs:label ?label ; rdfs:comment ?comment .
                   FILTER(lang(?label) = \"en\" && lang(?comment) = \"en\") }}
         }} ORDER BY ?term"
    ));
    assert!(undocumented.is_empty(), "without an English label and comment: {undocumented:?}");
}

// ---------------------------------------------------------------------------
// An independent engine
// ---------------------------------------------------------------------------

/// The Python with rdflib that the cross-check runs: `FACTGRAPH_PYTHON`, else
/// the venv that .ci/run makes (target/ci-tools/venv), if rdflib imports there.
fn rdflib_python() -> Option<PathBuf> {
    let python = std::env::var_os("FACTGRAPH_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/ci-tools/venv/bin/python"));
    let imports = std::process::Command::new(&python)
        .args(["-c", "import rdflib"])
        .output()
        .is_ok_and(|output| output.status.success());
    if imports {
        return Some(python);
    }
    crate::common::skip(
        crate::common::REQUIRE_PEERS,
        &format!(
            "no Python with rdflib at {}: set FACTGRAPH_PYTHON, or run .ci/run, which installs rdflib in target/ci-tools/venv",
            python.display()
        ),
    );
    None
}

/// rdflib, an engine that shares no code with factgraph, answers every named
/// question over the exported Turtle exactly as factgraph does over its store:
/// the same columns and the same rows in the same order.
#[test]
fn rdflib_gives_every_question_the_same_answer_over_the_exported_turtle() {
    let Some(python) = rdflib_python() else { return };
    let scratch = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("scratch folder");
    let turtle = scratch.path().join("dataset.ttl");
    let config = config();
    factgraph(&["export", "--store", path_str(store()), "--config", path_str(&config), "--output", path_str(&turtle)]);
    let mut questions: Vec<PathBuf> = std::fs::read_dir(root().join("queries"))
        .expect("queries folder")
        .map(|entry| entry.expect("query entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rq"))
        .collect();
    questions.sort();
    let output = std::process::Command::new(&python)
        .arg(root().join("tests/peers/rdflib_answers.py"))
        .arg(&turtle)
        .args(&questions)
        .output()
        .expect("Python runs");
    assert!(output.status.success(), "rdflib failed: {}", String::from_utf8_lossy(&output.stderr));
    let answers: serde_json::Value = serde_json::from_slice(&output.stdout).expect("rdflib's answers as JSON");
    for path in &questions {
        let name = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 name");
        let theirs = &answers[name];
        let texts = |value: &serde_json::Value| -> Vec<String> {
            value.as_array().expect("a list").iter().map(|v| v.as_str().expect("text").to_owned()).collect()
        };
        let their_columns = texts(&theirs["columns"]);
        let their_rows: Vec<Vec<String>> =
            theirs["rows"].as_array().expect("rows").iter().map(texts).collect();
        let (columns, rows) = answer(name);
        assert_eq!(their_columns, columns, "{name}: columns");
        for (index, (ours, theirs)) in rows.iter().zip(&their_rows).enumerate() {
            assert_eq!(ours, theirs, "{name}: row {} differs (factgraph, then rdflib)", index + 1);
        }
        assert_eq!(rows.len(), their_rows.len(), "{name}: number of rows (factgraph {rows:#?})");
    }
}

// ---------------------------------------------------------------------------
// The licence
// ---------------------------------------------------------------------------

const CC_BY: &str = "https://creativecommons.org/licenses/by/4.0/";

/// factgraph.toml publishes the curated data under CC BY 4.0; the build's
/// VoID/DCAT description says so (`dct:license` of the dataset).
#[test]
fn the_build_description_states_the_licence() {
    let (_, rows) = sparql(
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#>
         PREFIX void: <http://rdfs.org/ns/void#>
         SELECT ?dataset ?license WHERE {
           GRAPH <https://w3id.org/factgraph/cn-cloud/dataset/build> {
             ?dataset a void:Dataset , dcat:Dataset ; dct:license ?license
           }
         }",
    );
    assert_eq!(rows, [["https://w3id.org/factgraph/cn-cloud/dataset", CC_BY]]);
}

/// TriG and N-Quads hold the description, licence included; Turtle and
/// N-Triples, which hold the default graph only, name it in a first comment.
#[test]
fn every_export_format_carries_the_licence() {
    let config = config();
    let export = |format: &str| {
        factgraph(&["export", "--format", format, "--store", path_str(store()), "--config", path_str(&config)])
    };
    let triple = format!("<https://w3id.org/factgraph/cn-cloud/dataset> <http://purl.org/dc/terms/license> <{CC_BY}>");
    let nquads = export("nquads");
    assert!(nquads.lines().any(|line| line.starts_with(&triple)), "no licence triple in the N-Quads export");
    let trig = export("trig");
    assert!(trig.contains(&format!("dct:license <{CC_BY}>")), "no licence in the TriG export");
    for format in ["turtle", "ntriples"] {
        let text = export(format);
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(first, format!("# Licence: <{CC_BY}>"), "{format}: first line");
    }
}
