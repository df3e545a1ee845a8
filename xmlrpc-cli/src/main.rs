//! The `xmlrpc` command.
#![forbid(unsafe_code)]

fn main() {
    eprintln!("xmlrpc: no subcommand is available yet");
    std::process::exit(2);
}
