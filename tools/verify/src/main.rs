use std::process::ExitCode;

use clap::Parser;
use nexus_verify::cli::Cli;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = String::new();
    match nexus_verify::execute(&cli, &mut out).await {
        Ok(verdict) => {
            print!("{out}");
            ExitCode::from(verdict.exit_code())
        }
        Err(e) => {
            print!("{out}");
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
