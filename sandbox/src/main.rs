fn main() {
    std::process::exit(nexus_sandbox::cli::main());
}
