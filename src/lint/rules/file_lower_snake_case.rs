use crate::lint::naming::to_lower_snake_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that file names (without `.proto`) are lower_snake_case.
    ///
    /// Why: some generators derive module or class names from file names, and mixed-case file
    /// names break on case-insensitive file systems.
    ///
    /// Bad: `userService.proto`, `User-Service.proto`
    ///
    /// Good: `user_service.proto`
    ///
    /// Fix: rename the file and update every import of it.
    pub FILE_LOWER_SNAKE_CASE = "Checks that filenames are lower_snake_case."
}

pub fn check(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        let name = f.name();
        let base = name.rsplit('/').next().unwrap_or(name);
        let ext = match base.rfind('.') {
            Some(i) => &base[i..],
            None => "",
        };
        let stem = &base[..base.len() - ext.len()];
        let expected = to_lower_snake_case(stem);
        if stem != expected {
            out.file(
                f,
                format!("Filename {base:?} should be lower_snake_case{ext}, such as \"{expected}{ext}\"."),
            );
        }
    }
}
