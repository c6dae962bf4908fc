//! `ghl`: the HighLevel API from the command line (feature `cli`).

fn main() -> std::process::ExitCode {
    ghl_client::cli::main()
}
