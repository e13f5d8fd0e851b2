//! The command line: clap arguments in, plain library calls out. The library never sees clap.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use frontmap::gazetteer::Gazetteer;

/// The exit codes, shown by `--help` of every command and in the README.
macro_rules! exit_status {
    () => {
        "Exit status:
  0  all fine
  1  some inputs failed: each is reported with its file and line, or URL; the others still
     got their output (`map` also lists the failures in DIR/failures.jsonl)
  2  could not run: bad arguments, unreadable gazetteer, --out not a writable folder, disk
     full; no file in --out is left half-written, and files frontmap did not write are
     never touched"
    };
}
pub const EXIT_STATUS: &str = exit_status!();

#[derive(Parser, Debug)]
#[command(
    name = "frontmap",
    version,
    about = "Geoparse news about the Russia–Ukraine war into GeoJSON maps",
    after_help = concat!(
        exit_status!(),
        "\n\nGazetteer data: contains data from GeoNames (geonames.org, CC BY 4.0), © OpenStreetMap \
         contributors (ODbL 1.0), Who's On First, Natural Earth."
    )
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

/// A feature layer `map --layers` can keep or leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeatureLayer {
    Events,
    Dates,
    Articles,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Geoparse articles into GeoJSON layers (articles/, dates/, events, clusters, areas,
    /// coverage, mentions.jsonl, manifest.json, index.html).
    #[command(after_help = EXIT_STATUS)]
    Map {
        /// Text files, folders, .jsonl/.ndjson, .html pages, http(s) URLs, or - for stdin.
        inputs: Vec<String>,
        /// Output folder (created; only files frontmap wrote before are replaced).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_os_t = default_gazetteer())]
        gazetteer: PathBuf,
        /// A file of URLs to fetch, one per line (# comments allowed).
        #[arg(long)]
        urls: Option<PathBuf>,
        /// Cache fetched pages here so that a rerun does not fetch again.
        #[arg(long)]
        cache: Option<PathBuf>,
        /// Keep only articles dated on or after this day (YYYY-MM-DD); undated ones are dropped.
        #[arg(long)]
        date_from: Option<chrono::NaiveDate>,
        /// Keep only articles dated on or before this day (YYYY-MM-DD).
        #[arg(long)]
        date_to: Option<chrono::NaiveDate>,
        /// Events within this distance are clustered together.
        #[arg(long, default_value_t = 25.0)]
        radius_km: f64,
        /// Front-line areas to report coverage for (default: the gazetteer's areas.geojson).
        #[arg(long)]
        areas: Option<PathBuf>,
        /// Dated occupied-area polygons (.geojson or .geojson.gz) for `occupied` and `front_distance_km`.
        #[arg(long)]
        occupied: Option<PathBuf>,
        /// Worker threads (0 = all cores).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// No progress bar and no per-article summary.
        #[arg(long, short)]
        quiet: bool,
        /// The feature layers to write, of events (events.geojson), dates (dates/) and
        /// articles (articles/, a file per article): each holds every feature once, so an
        /// archive run may keep fewer. The other layers are always written.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "events,dates,articles"
        )]
        layers: Vec<FeatureLayer>,
    },
    /// Stream JSON Lines articles on stdin to one JSON line of resolved mentions per article on stdout.
    #[command(after_help = EXIT_STATUS)]
    Tag {
        #[arg(long, default_value_os_t = default_gazetteer())]
        gazetteer: PathBuf,
    },
    /// Serve a map folder on 127.0.0.1 (index.html also opens from file:// without a server).
    #[command(after_help = EXIT_STATUS)]
    View {
        dir: PathBuf,
        /// 0 picks a free port.
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Score frontmap against gold-labelled articles (e.g. ../shared/eval/seeds.gold.json).
    #[command(after_help = EXIT_STATUS)]
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
    #[command(after_help = EXIT_STATUS)]
    Gazetteer {
        #[command(subcommand)]
        command: GazetteerCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum GazetteerCommand {
    /// Build places.tsv and names.tsv (and the compiled index) from open data.
    #[command(after_help = EXIT_STATUS)]
    Build {
        /// GeoNames dumps, code tables, KATOTTG, extra files: paths, folders or http(s) URLs.
        sources: Vec<String>,
        #[arg(long, default_value = "gazetteer")]
        out: PathBuf,
    },
    /// Build the front-line areas (areas.geojson) from Natural Earth and directions.tsv.
    #[command(after_help = EXIT_STATUS)]
    Areas {
        #[arg(
            long,
            default_value = "../shared/data/naturalearth_admin1_ua_ru_by_md.geojson.gz"
        )]
        natural_earth: PathBuf,
        #[arg(long, default_value = "gazetteer/directions.tsv")]
        directions: PathBuf,
        #[arg(long, default_value = "gazetteer/areas.geojson")]
        out: PathBuf,
    },
    /// Print every place a name can mean.
    #[command(after_help = EXIT_STATUS)]
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

/// `--out` must be a folder frontmap can write in. Checked (and created) before any work, so
/// that a typo costs no time; the layers themselves are still written atomically.
fn check_out(out: &Path) -> anyhow::Result<()> {
    if out.exists() && !out.is_dir() {
        anyhow::bail!(
            "{}: --out exists and is not a folder (give a folder; it is created if missing)",
            out.display()
        );
    }
    std::fs::create_dir_all(out)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the output folder: {e}", out.display()))?;
    // A real write, not the permission bits: they say nothing for root or a read-only mount.
    let probe = out.join(format!(".frontmap-probe-{}.tmp", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
        }
        // A probe left by a killed run of the same pid: the writes themselves will tell.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => anyhow::bail!("{}: cannot write in the output folder: {e}", out.display()),
    }
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Map {
            inputs,
            out,
            gazetteer,
            urls,
            cache,
            date_from,
            date_to,
            radius_km,
            areas,
            occupied,
            threads,
            quiet,
            layers,
        } => {
            if !(radius_km.is_finite() && radius_km >= 0.0) {
                anyhow::bail!("--radius-km must be a finite number >= 0, not {radius_km}");
            }
            if inputs.is_empty() && urls.is_none() {
                anyhow::bail!("no inputs: give files, folders, URLs, - for stdin, or --urls FILE");
            }
            check_out(&out)?;
            let config = frontmap::MapConfig {
                ingest: frontmap::ingest::IngestOptions {
                    inputs,
                    urls_file: urls,
                    cache_dir: cache,
                    date_from,
                    date_to,
                    ..Default::default()
                },
                out: out.clone(),
                gazetteer,
                areas,
                occupied,
                radius_km,
                threads,
                progress: !quiet && std::io::stderr().is_terminal(),
                article_lines: !quiet,
                feature_layers: frontmap::layers::FeatureLayers {
                    events: layers.contains(&FeatureLayer::Events),
                    dates: layers.contains(&FeatureLayer::Dates),
                    articles: layers.contains(&FeatureLayer::Articles),
                },
            };
            // A run touches hundreds of MB of fresh memory: in small pages (see the function).
            frontmap::allocator::small_pages_from_now();
            let summary = frontmap::run_map(&config)?;
            if !quiet {
                for line in &summary.article_lines {
                    eprintln!("{line}");
                }
            }
            for line in &summary.failure_lines {
                eprintln!("frontmap: {line}");
            }
            eprintln!(
                "frontmap: {} articles, {} mentions, {} files in {}; {} inputs failed, {} warnings",
                summary.articles,
                summary.events,
                summary.files_written,
                out.display(),
                summary.failed,
                summary.warnings
            );
            Ok(if summary.failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Tag { gazetteer } => {
            let gaz = load_for_process(&gazetteer)?;
            // `Stdin`, not its lock, which cannot move to the reader thread.
            let input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
            let failed = frontmap::tag_stream(gaz, input, std::io::stdout().lock())?;
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::View { dir, port } => {
            // Rendering the page of a big run reads hundreds of MB of layers: small pages, as
            // for `map`.
            frontmap::allocator::small_pages_from_now();
            frontmap::web::write_index(&dir)?;
            frontmap::web::serve(&dir, port)?;
            Ok(ExitCode::SUCCESS)
        }
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
            GazetteerCommand::Build { sources, out } => {
                let report = frontmap::gazetteer::build::build(&sources, &out)?;
                let gaz = Gazetteer::load(&out)?;
                gaz.write_compiled_index(&out)?;
                eprintln!(
                    "frontmap: gazetteer in {}: {} places, {} names, {} index keys",
                    out.display(),
                    report.places,
                    report.names,
                    gaz.index.len()
                );
                Ok(ExitCode::SUCCESS)
            }
            GazetteerCommand::Areas {
                natural_earth,
                directions,
                out,
            } => {
                frontmap::areas::build_areas(&natural_earth, &directions, &out)?;
                eprintln!("frontmap: wrote {}", out.display());
                Ok(ExitCode::SUCCESS)
            }
            GazetteerCommand::Lookup { name, gazetteer } => {
                let gaz = load_for_process(&gazetteer)?;
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

/// The gazetteer for the rest of the process, never dropped: freeing its 88,000 places one by
/// one at exit costs a third as much as loading them.
fn load_for_process(dir: &Path) -> frontmap::Result<&'static Gazetteer> {
    Ok(Box::leak(Box::new(Gazetteer::load(dir)?)))
}
