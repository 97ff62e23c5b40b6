use std::process::ExitCode;

fn main() -> ExitCode {
    protoforge::commands::main(std::env::args_os())
}
