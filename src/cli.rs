//! The command line: clap arguments in, plain library calls out. The library never sees clap.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use frontmap::gazetteer::Gazetteer;

/// Exit codes: 0 all fine, 1 some inputs failed (the others still got their output),
/// 2 could not run (bad arguments, unreadable gazetteer, unwritable output).
#[derive(Parser, Debug)]
#[command(
    name = "frontmap",
    version,
    about = "Geoparse news about the Russia–Ukraine war into GeoJSON maps",
    after_help = "Exit status: 0 all fine; 1 some inputs failed (the others still got their output); 2 could not run.\nGazetteer data: contains data from GeoNames (geonames.org, CC BY 4.0), © OpenStreetMap contributors (ODbL 1.0), Who's On First, Natural Earth."
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Score frontmap against gold-labelled articles (e.g. ../shared/eval/seeds.gold.json).
    Eval {
        /// Gold file; article texts are found beside it through each article's `text_file`.
        gold: PathBuf,
        #[arg(long, default_value_os_t = default_gazetteer())]
        gazetteer: PathBuf,
        /// Print the full report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build or query the gazetteer.
    Gazetteer {
        #[command(subcommand)]
        command: GazetteerCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum GazetteerCommand {
    /// Print every place a name can mean.
    Lookup {
        name: String,
        #[arg(long, default_value_os_t = default_gazetteer())]
        gazetteer: PathBuf,
    },
}

/// `gazetteer/` in the working directory when there is one, else the one shipped with the source.
pub fn default_gazetteer() -> PathBuf {
    if let Ok(dir) = std::env::var("FRONTMAP_GAZETTEER") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("gazetteer");
    if local.join("places.tsv").exists() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("gazetteer")
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Eval {
            gold,
            gazetteer,
            json,
        } => {
            let gaz = Gazetteer::load(&gazetteer)?;
            let report = frontmap::eval::evaluate(&gaz, &gold)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Gazetteer { command } => match command {
            GazetteerCommand::Lookup { name, gazetteer } => {
                let gaz = Gazetteer::load(&gazetteer)?;
                let readings = gaz.lookup(&name);
                if readings.is_empty() {
                    eprintln!("frontmap: no place is called '{name}'");
                    return Ok(ExitCode::from(1));
                }
                println!("id\tkind\tname\tadmin1\tcountry\tlat\tlon\tpopulation\tprecision\tvariant\torigin");
                for r in readings {
                    let p = r.place;
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{:.6}\t{:.6}\t{}\t{}\t{:?}\t{}",
                        p.id,
                        p.kind,
                        p.name,
                        gaz.admin1_name(p),
                        p.country,
                        p.lat,
                        p.lon,
                        p.population,
                        p.precision.as_str(),
                        r.posting.form,
                        r.origin
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
        },
    }
}
