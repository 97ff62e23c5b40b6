//! protoc plugins: `protoc-gen-protoforge-lint` and `protoc-gen-protoforge-breaking`, drop-ins for
//! buf's `protoc-gen-buf-lint` and `protoc-gen-buf-breaking` (as Bazel's rules_buf and aspect's
//! rules_lint run them). This module owns the way from a `CodeGeneratorRequest` on stdin to a
//! `CodeGeneratorResponse` on stdout: the request's files become an [`Image`] through the reader of
//! image inputs ([`request`]), buf's parameter is decoded strictly ([`params`]) and picks the config,
//! module and output format, the lint rules or breaking checks run as the commands run them, and the
//! findings go back in `CodeGeneratorResponse.error`, rendered in buf's formats, with exit 0 so that
//! protoc prints them and fails. A bad request, parameter, config or against input is an error on
//! stderr with exit 1 (protoc then reports the plugin as failed).

pub mod params;
pub mod request;

use std::collections::HashSet;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::breaking::{self, Policy};
use crate::check::{clean_path, Finding};
use crate::cli::InputArgs;
use crate::compile::Compiled;
use crate::config::{self, ConfigVersion, LintConfig, ModuleSpec};
use crate::image::Image;
use crate::pipeline;
use crate::report::{self, ReportContext};
use crate::{Error, Result};

use params::Params;

/// Which plugin runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Lint,
    Breaking,
}

impl Kind {
    /// The executable name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Lint => "protoc-gen-protoforge-lint",
            Kind::Breaking => "protoc-gen-protoforge-breaking",
        }
    }

    /// The plugin a program name (`argv[0]`) asks for: its file name is the plugin's name
    /// (`.exe` allowed). A copy or link of `protoforge` under either name runs the plugin.
    pub fn from_program(program: &OsStr) -> Option<Kind> {
        let name = Path::new(program).file_name()?.to_str()?;
        let name = name.strip_suffix(".exe").unwrap_or(name);
        [Kind::Lint, Kind::Breaking]
            .into_iter()
            .find(|k| k.name() == name)
    }

    fn command(self) -> &'static str {
        match self {
            Kind::Lint => "lint",
            Kind::Breaking => "breaking",
        }
    }
}

/// Runs a plugin as a process: request on stdin, response on stdout, errors on stderr (exit 1).
pub fn main(kind: Kind) -> ExitCode {
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut input) {
        return fail(kind, &Error::io("standard input", e));
    }
    let response = match run(kind, &input) {
        Ok(response) => response,
        Err(err) => return fail(kind, &err),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&response).and_then(|()| stdout.flush()) {
        return fail(kind, &Error::io("standard output", e));
    }
    ExitCode::SUCCESS
}

fn fail(kind: Kind, err: &Error) -> ExitCode {
    eprintln!("{} failed:", kind.name());
    report::print_error(err);
    ExitCode::from(1)
}

/// Answers an encoded `CodeGeneratorRequest` with an encoded `CodeGeneratorResponse`. Files and
/// config are read relative to the working directory, as buf's plugins do.
pub fn run(kind: Kind, request_bytes: &[u8]) -> Result<Vec<u8>> {
    let started = std::time::Instant::now();
    let request = request::decode(request_bytes)?;
    let params = params::decode(kind, &request.parameter)?;
    let limit = params.timeout.filter(|t| !t.is_zero());
    if let Some(limit) = limit {
        watchdog(kind, limit);
    }
    if !params.plugin_overrides.is_empty() {
        eprintln!(
            "WARN\tplugin_overrides: protoforge runs no check plugins; the overrides are not used"
        );
    }
    let module = module_config(&params)?;
    let mut image = request.image()?;
    // Paths in the config are relative to the buf.yaml, the request's are relative to the module.
    for file in image.files.iter_mut().filter(|f| !f.is_import) {
        file.root_path = join(&module.dir, file.name());
    }
    let findings = match kind {
        Kind::Lint => lint(&image, &module)?,
        Kind::Breaking => compare(&image, &module, &params, &request.file_to_generate)?,
    };
    if let Some(limit) = limit.filter(|limit| started.elapsed() > *limit) {
        return Err(timed_out(limit));
    }
    let rendered = render(kind, &findings, &params);
    let error = rendered.trim();
    Ok(request::response((!error.is_empty()).then_some(error)))
}

/// Ends the process with an error once `limit` has passed (buf's `timeout`), even if the checks
/// are still running; [`run`] also checks the time when they are done.
fn watchdog(kind: Kind, limit: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        fail(kind, &timed_out(limit));
        std::process::exit(1);
    });
}

fn timed_out(limit: Duration) -> Error {
    Error::new(format!("timed out after {limit:?}"))
        .with_help("raise `timeout` in the plugin parameter, e.g. {\"timeout\":\"1m\"}")
}

/// The module whose lint and breaking settings apply, as buf's plugins pick it: the config of
/// `input_config` (or `./buf.yaml`), then the module named by `module` (a v2 module's path or
/// name; `.` by default). Without a config: buf's v2 defaults.
fn module_config(params: &Params) -> Result<ModuleSpec> {
    let Some(config) = config::load_for_plugin(&params.input_config)? else {
        return Ok(ModuleSpec {
            version: ConfigVersion::V2,
            lint: LintConfig {
                allow_comment_ignores: true,
                ..LintConfig::default()
            },
            ..ModuleSpec::default()
        });
    };
    let wanted = match params.module.as_str() {
        "" => ".".to_string(),
        m => clean_path(m),
    };
    let shown = |dir: &str| if dir.is_empty() { "." } else { dir }.to_string();
    let found: Vec<&ModuleSpec> = if config.version == ConfigVersion::V2 {
        config
            .modules
            .iter()
            .filter(|m| {
                m.name.as_deref() == Some(params.module.as_str()) || shown(&m.dir) == wanted
            })
            .collect()
    } else {
        // A v1 or v1beta1 buf.yaml is one module (v1beta1 roots share its settings).
        config
            .modules
            .first()
            .filter(|m| wanted == "." || m.name.as_deref() == Some(params.module.as_str()))
            .into_iter()
            .collect()
    };
    let modules = || {
        config
            .modules
            .iter()
            .map(|m| shown(&m.dir))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(Error::new(format!("no module found for {:?}", params.module_or_dot()))
            .with_help(format!(
                "set \"module\" to the path or name of a module of the config: {}",
                modules()
            ))),
        _ => Err(Error::new(format!(
            "multiple modules found at {:?}, specify its full name as <remote/owner/module> instead",
            params.module_or_dot()
        ))),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The lint rules of `module` over the request's targets (imports are context).
fn lint(image: &Image, module: &ModuleSpec) -> Result<Vec<Finding>> {
    let outcome = crate::lint::run(image, &[], module, &|f| !f.is_import)?;
    for warning in &outcome.warnings {
        eprintln!("WARN\t{warning}");
    }
    Ok(outcome.findings)
}

/// The breaking checks of `module` from `against_input` to the request. With
/// `limit_to_input_files`, only the against files the request targets are compared (and what they
/// import); with `exclude_imports`, imports are not compared.
fn compare(
    current: &Image,
    module: &ModuleSpec,
    params: &Params,
    targets: &[String],
) -> Result<Vec<Finding>> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("current directory", e))?;
    let against = &params.against_input;
    let args = InputArgs {
        input: against.clone(),
        ..InputArgs::default()
    };
    let built = pipeline::build_with_config(against, &args, None, &cwd)?;
    let mut previous = match built.compiled {
        Compiled::Image(image) => image,
        Compiled::Errors(errors) => {
            let shown = report::render(
                &errors,
                crate::cli::ErrorFormat::Text,
                &ReportContext::new("build"),
            );
            return Err(Error::new(format!(
                "against_input \"{against}\" does not compile:\n{}",
                shown.trim_end()
            ))
            .with_help("against_input must be a valid input: an image from `protoforge build -o` or `buf build -o`, or sources that compile"));
        }
    };
    if params.limit_to_input_files {
        let targets: HashSet<&str> = targets.iter().map(String::as_str).collect();
        for file in &mut previous.files {
            file.is_import = !targets.contains(file.name());
        }
        previous.keep_targets_and_their_imports();
    }
    let policy = Policy {
        version: module.version,
        config: &module.breaking,
        config_file: module.config_file.as_deref(),
    };
    let outcome = breaking::check(
        &previous,
        current,
        &[policy],
        &|_, _| 0,
        !params.exclude_imports,
    )?;
    for warning in &outcome.warnings {
        eprintln!("WARN\t{warning}");
    }
    Ok(outcome.findings)
}

/// The findings in the parameter's format; `config-ignore-yaml` writes a v1 baseline of the
/// request's paths, as buf's lint plugin does.
fn render(kind: Kind, findings: &[Finding], params: &Params) -> String {
    let printed = |_: &str| None;
    let ctx = ReportContext::new(kind.command())
        .with_color(false)
        .with_baseline(ConfigVersion::V1, &printed);
    report::render(findings, params.error_format, &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_name_picks_the_plugin() {
        let kind = |name: &str| Kind::from_program(OsStr::new(name));
        assert_eq!(kind("protoc-gen-protoforge-lint"), Some(Kind::Lint));
        assert_eq!(
            kind("/usr/bin/protoc-gen-protoforge-breaking"),
            Some(Kind::Breaking)
        );
        assert_eq!(
            kind("C:/bin/protoc-gen-protoforge-lint.exe"),
            Some(Kind::Lint)
        );
        assert_eq!(kind("protoforge"), None);
        assert_eq!(kind("protoc-gen-buf-lint"), None);
    }
}
