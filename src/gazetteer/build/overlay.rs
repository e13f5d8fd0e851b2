//! `gazetteer/overlay.tsv`: hand-curated facts applied on top of the sources, one per line,
//! each with its reason.
//!
//! Columns (tab-separated, header required; `#` lines and blank lines are ignored):
//! `op id name lang kind country admin1 lat lon precision reason`
//!
//! | op       | does                                   | needs                                   |
//! |----------|----------------------------------------|-----------------------------------------|
//! | `place`  | adds a place (id new, `fm:<slug>`)     | name (display name first; `\|` for more), kind, country (may be empty for continents and regions), lat, lon, precision |
//! | `name`   | adds names to a place                  | id, name (`\|`-separated), lang optional |
//! | `move`   | moves a place's point                  | id, lat, lon, precision (default exact) |
//! | `drop`   | removes names (by normal form) from a place, or from every place with id `*` | id, name |
//! | `remove` | removes a place and all its names      | id                                      |
//!
//! Every line needs a reason. Lines apply in file order, except `drop`, which applies after the
//! transliteration variants are generated so that it can drop a generated spelling too. An id
//! that does not exist (or, for `place`, already exists) is an error naming the line.

use std::path::{Path, PathBuf};

use super::read::check_point;
use crate::error::{Error, Result};
use crate::gazetteer::{Kind, Precision};

pub const HEADER: &str = "op\tid\tname\tlang\tkind\tcountry\tadmin1\tlat\tlon\tprecision\treason";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Place,
    Name,
    Move,
    Drop,
    Remove,
}

/// One overlay line, checked.
#[derive(Debug, Clone)]
pub struct Line {
    pub file: PathBuf,
    pub line: usize,
    pub op: Op,
    pub id: String,
    pub names: Vec<String>,
    pub lang: String,
    pub kind: Option<Kind>,
    pub country: String,
    pub admin1: String,
    pub point: Option<(f64, f64)>,
    pub precision: Precision,
}

impl Line {
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::parse(&self.file, self.line, message)
    }
}

pub fn parse(label: &Path, text: &str) -> Result<Vec<Line>> {
    let mut out = Vec::new();
    let mut header_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != HEADER {
                return Err(Error::parse(
                    label,
                    n,
                    format!("unexpected header '{line}' (expected '{HEADER}')"),
                ));
            }
            header_seen = true;
            continue;
        }
        out.push(parse_line(label, n, line)?);
    }
    if !header_seen {
        return Err(Error::parse(
            label,
            1,
            format!("no header (expected '{HEADER}')"),
        ));
    }
    Ok(out)
}

fn parse_line(label: &Path, n: usize, line: &str) -> Result<Line> {
    let err = |m: String| Error::parse(label, n, m);
    let f: Vec<&str> = line.split('\t').map(str::trim).collect();
    if f.len() != 11 {
        return Err(err(format!(
            "expected 11 tab-separated fields, found {}",
            f.len()
        )));
    }
    let op = match f[0] {
        "place" => Op::Place,
        "name" => Op::Name,
        "move" => Op::Move,
        "drop" => Op::Drop,
        "remove" => Op::Remove,
        other => {
            return Err(err(format!(
                "unknown op '{other}' (expected place, name, move, drop or remove)"
            )))
        }
    };
    if f[1].is_empty() {
        return Err(err("empty id".into()));
    }
    if f[10].is_empty() {
        return Err(err("every overlay line needs a reason (last column)".into()));
    }
    let names: Vec<String> = f[2]
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let kind = if f[4].is_empty() {
        None
    } else {
        Some(f[4].parse::<Kind>().map_err(err)?)
    };
    let precision = if f[9].is_empty() {
        Precision::Exact
    } else {
        f[9].parse::<Precision>().map_err(err)?
    };
    let point = match (f[7], f[8]) {
        ("", "") => None,
        (lat, lon) => {
            let parse = |v: &str, what: &str| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| err(format!("invalid {what} '{v}'")))
            };
            let (lat, lon) = (parse(lat, "latitude")?, parse(lon, "longitude")?);
            check_point(label, n, lat, lon)?;
            Some((lat, lon))
        }
    };
    let out = Line {
        file: label.to_path_buf(),
        line: n,
        op,
        id: f[1].to_string(),
        names,
        lang: f[3].to_string(),
        kind,
        country: f[5].to_string(),
        admin1: f[6].to_string(),
        point,
        precision,
    };
    match op {
        Op::Place => {
            if out.names.is_empty() {
                return Err(err("a place needs a name".into()));
            }
            let Some(kind) = out.kind else {
                return Err(err("a place needs a kind".into()));
            };
            if out.point.is_none() {
                return Err(err("a place needs lat and lon".into()));
            }
            if out.country.is_empty() && !matches!(kind, Kind::Continent | Kind::Region) {
                return Err(err(
                    "a place needs a country (only continents and regions such as seas may have none)".into(),
                ));
            }
        }
        Op::Name | Op::Drop => {
            if out.names.is_empty() {
                return Err(err("no name given".into()));
            }
        }
        Op::Move => {
            if out.point.is_none() {
                return Err(err("a move needs lat and lon".into()));
            }
        }
        Op::Remove => {}
    }
    if out.id == "*" && op != Op::Drop {
        return Err(err("id '*' (every place) is only allowed for drop".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<Vec<Line>> {
        parse(
            Path::new("overlay.tsv"),
            &format!("# c\n{HEADER}\n{line}\n"),
        )
    }

    #[test]
    fn lines_parse_and_check() {
        let l = &one("place\tfm:kremlin\tMoscow Kremlin|Kremlin\ten\tlandmark\tRU\tRU.48\t55.752\t37.6175\texact\tlandmark of war reporting").unwrap()[0];
        assert_eq!(l.op, Op::Place);
        assert_eq!(l.names, ["Moscow Kremlin", "Kremlin"]);
        assert_eq!(l.kind, Some(Kind::Landmark));
        assert_eq!(l.point, Some((55.752, 37.6175)));
        let l = &one("name\tiso:RU\tRosji|Rosją\tpl\t\t\t\t\t\t\tPolish case forms").unwrap()[0];
        assert_eq!((l.op, l.names.len(), l.lang.as_str()), (Op::Name, 2, "pl"));
        let l = &one("move\tkatottg:UA1\t\t\t\t\t\t47.445\t35.838\texact\tOSM node").unwrap()[0];
        assert_eq!((l.op, l.point), (Op::Move, Some((47.445, 35.838))));
        let bad = [
            ("name\tiso:RU\tRosji\tpl\t\t\t\t\t\t\t", "needs a reason"),
            ("rename\tiso:RU\tX\t\t\t\t\t\t\t\tr", "unknown op 'rename'"),
            (
                "place\tfm:x\tX\t\tcity\tRU\t\t1\t2\texact\tr",
                "unknown kind 'city'",
            ),
            (
                "place\tfm:x\tX\t\tlandmark\t\t\t1\t2\texact\tr",
                "needs a country",
            ),
            (
                "place\tfm:x\tX\t\tlandmark\tRU\t\t\t\texact\tr",
                "needs lat and lon",
            ),
            ("move\tgn:1\t\t\t\t\t\t95\t2\texact\tr", "invalid latitude"),
            (
                "move\tgn:1\t\t\t\t\t\t1\t2\tfuzzy\tr",
                "unknown precision 'fuzzy'",
            ),
            ("name\t*\tX\t\t\t\t\t\t\t\tr", "only allowed for drop"),
            ("name\tgn:1\tX", "expected 11"),
        ];
        for (line, want) in bad {
            let e = one(line).unwrap_err().to_string();
            assert!(e.starts_with("overlay.tsv: line 3:"), "{e}");
            assert!(e.contains(want), "{line}: {e}");
        }
        let e = parse(Path::new("o.tsv"), "op\tid\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unexpected header"), "{e}");
    }
}
