//! The `hovor` binary: everything lives in the library, this only runs it.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match hovor_server::cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hovor: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
