fn main() -> std::process::ExitCode {
    kubectl_coder::main_entry()
}
