//! Metaschema modules to a [`Schema`]: the definitions reachable from the root assemblies,
//! flattened, with their JSON mapping and constraints.
//!
//! Stage: read. In: a resolver from file names (relative to the folder of the modules, `/`
//! separated) to their text, and the root modules. Out: [`Schema`]. Imports are followed and the
//! external entities a module's internal subset declares are expanded, both through the resolver
//! only. A `ref` is looked up in the referring module first, then in what it imports (global
//! definitions only, `scope="local"` ones stay home), depth first in import order; so the
//! catalog's `group` and the profile's `group` are two definitions.

use indexmap::IndexMap;

use super::ReadError;
use super::constraint::{self, bad_value, missing, required, unexpected};
use super::xml::{self, Element, Entities};
use crate::metaschema::model::{Child, Def, DefId, DefKind, Group, Schema};

/// Most modules one schema may pull in.
const MAX_MODULES: usize = 64;

/// Largest module or entity file, in bytes.
const MAX_MODULE_BYTES: usize = 16 * 1024 * 1024;

/// Reads one root module (and what it imports) into a [`Schema`] whose roots are its root
/// assemblies.
pub fn module(files: &impl Fn(&str) -> Option<String>, root: &str) -> Result<Schema, ReadError> {
    schema(files, &[root])
}

/// Reads several root modules into one [`Schema`]: definitions they share (through imports of
/// the same module) appear once; roots in the order given.
pub fn schema(
    files: &impl Fn(&str) -> Option<String>,
    roots: &[&str],
) -> Result<Schema, ReadError> {
    let mut loader = Loader {
        files,
        modules: Vec::new(),
    };
    let mut root_modules = Vec::new();
    for root in roots {
        root_modules.push(loader.load(root, "root")?);
    }
    let mut builder = Builder {
        modules: &loader.modules,
        defs: Vec::new(),
        globals: IndexMap::new(),
    };
    let mut schema_roots = Vec::new();
    for m in root_modules {
        let module = builder.module(m)?;
        let mut found = false;
        for def in module
            .root
            .children()
            .filter(|e| e.name == "define-assembly")
        {
            if let Some(root_name) = def.child("root-name") {
                let name = required(def, &module.file, "name")?;
                let (id, _) = builder.global(m, DefKind::Assembly, name, def.offset)?;
                schema_roots.push((root_name.plain_text(), id));
                found = true;
            }
        }
        if !found {
            return Err(ReadError::NoRoot {
                file: module.file.clone(),
            });
        }
    }
    Ok(Schema {
        defs: builder.defs,
        roots: schema_roots,
    })
}

/// One module read: its file name, root element and the modules it imports.
struct Module {
    file: String,
    root: Element,
    imports: Vec<usize>,
}

struct Loader<'f, F> {
    files: &'f F,
    modules: Vec<Module>,
}

impl<F: Fn(&str) -> Option<String>> Loader<'_, F> {
    /// Reads `file` (named by `by`) and its imports; its index in `modules`.
    fn load(&mut self, file: &str, by: &str) -> Result<usize, ReadError> {
        if let Some(i) = self.modules.iter().position(|m| m.file == file) {
            return Ok(i);
        }
        if self.modules.len() >= MAX_MODULES {
            return Err(ReadError::TooLarge {
                file: by.to_owned(),
                offset: 0,
                limit: MAX_MODULES,
                what: "modules",
            });
        }
        let text = self.fetch(file, by)?;
        let files = self.files;
        let mut expand = |system: &str, at: usize| {
            let Some(path) = join(file, system) else {
                return Err(bad_href(file, at, "ENTITY", system));
            };
            let text = fetch(files, &path, file)?;
            xml::parse_fragment(&text, &path)
        };
        let root = xml::parse(&text, file, Entities::External(&mut expand))?;
        if !(root.meta && root.name == "METASCHEMA") {
            return Err(ReadError::WrongRoot {
                file: file.to_owned(),
                found: root.name,
                expected: "METASCHEMA",
            });
        }
        let index = self.modules.len();
        // Listed before its imports are read, so an import cycle ends here.
        self.modules.push(Module {
            file: file.to_owned(),
            root,
            imports: Vec::new(),
        });
        let paths: Vec<String> = self
            .modules
            .get(index)
            .into_iter()
            .flat_map(|m| m.root.children())
            .filter(|e| e.name == "import")
            .map(|e| {
                let href = required(e, file, "href")?;
                join(file, href).ok_or_else(|| bad_href(file, e.offset, "import", href))
            })
            .collect::<Result<_, _>>()?;
        let mut imports = Vec::new();
        for path in paths {
            imports.push(self.load(&path, file)?);
        }
        if let Some(m) = self.modules.get_mut(index) {
            m.imports = imports;
        }
        Ok(index)
    }

    fn fetch(&self, file: &str, by: &str) -> Result<String, ReadError> {
        fetch(self.files, file, by)
    }
}

fn fetch(
    files: &impl Fn(&str) -> Option<String>,
    file: &str,
    by: &str,
) -> Result<String, ReadError> {
    let text = files(file).ok_or_else(|| ReadError::NotFound {
        file: file.to_owned(),
        by: by.to_owned(),
    })?;
    if text.len() > MAX_MODULE_BYTES {
        return Err(ReadError::TooLarge {
            file: file.to_owned(),
            offset: MAX_MODULE_BYTES,
            limit: MAX_MODULE_BYTES,
            what: "bytes",
        });
    }
    Ok(text)
}

/// An import or entity naming a file outside the modules' folder (or by URL).
fn bad_href(file: &str, offset: usize, element: &str, href: &str) -> ReadError {
    ReadError::BadValue {
        file: file.to_owned(),
        offset,
        element: element.to_owned(),
        name: if element == "import" {
            "href"
        } else {
            "SYSTEM"
        }
        .to_owned(),
        value: href.to_owned(),
    }
}

/// `href` resolved against the folder of `base`: relative paths only, never above the folder
/// of the modules (no scheme, no leading `/`, no `..` past the top).
fn join(base: &str, href: &str) -> Option<String> {
    if href.contains(':') || href.starts_with('/') || href.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(seg),
        }
    }
    Some(parts.join("/"))
}

/// Builds [`Def`]s from the modules' definition elements, depth first from the roots.
struct Builder<'m> {
    modules: &'m [Module],
    defs: Vec<Def>,
    /// Global definitions already built: (module, kind, name) → id.
    globals: IndexMap<(usize, &'static str, String), DefId>,
}

/// The element a definition kind is declared with.
fn define_element(kind: DefKind) -> &'static str {
    match kind {
        DefKind::Assembly => "define-assembly",
        DefKind::Field => "define-field",
        DefKind::Flag => "define-flag",
    }
}

fn kind_word(kind: DefKind) -> &'static str {
    match kind {
        DefKind::Assembly => "assembly",
        DefKind::Field => "field",
        DefKind::Flag => "flag",
    }
}

impl<'m> Builder<'m> {
    fn module(&self, m: usize) -> Result<&'m Module, ReadError> {
        self.modules.get(m).ok_or_else(|| ReadError::NoRoot {
            file: format!("module #{m}"),
        })
    }

    /// The global definition `name` of `kind` as seen from module `m`: its module and element.
    fn find(&self, m: usize, kind: DefKind, name: &str) -> Option<(usize, &'m Element)> {
        let mut seen = vec![false; self.modules.len()];
        self.find_in(m, kind, name, true, &mut seen)
    }

    fn find_in(
        &self,
        m: usize,
        kind: DefKind,
        name: &str,
        home: bool,
        seen: &mut Vec<bool>,
    ) -> Option<(usize, &'m Element)> {
        match seen.get_mut(m) {
            Some(s) if !*s => *s = true,
            _ => return None,
        }
        let module = self.modules.get(m)?;
        let own = module.root.children().find(|e| {
            e.name == define_element(kind)
                && e.attr("name") == Some(name)
                && (home || e.attr("scope") != Some("local"))
        });
        if let Some(el) = own {
            return Some((m, el));
        }
        module
            .imports
            .iter()
            .find_map(|&i| self.find_in(i, kind, name, false, seen))
    }

    /// The id and element of global definition `name` referred to from module `m`, built on
    /// first use.
    fn global(
        &mut self,
        m: usize,
        kind: DefKind,
        name: &str,
        at: usize,
    ) -> Result<(DefId, &'m Element), ReadError> {
        let Some((home, el)) = self.find(m, kind, name) else {
            return Err(ReadError::UnknownRef {
                file: self.module(m)?.file.clone(),
                offset: at,
                kind: kind_word(kind),
                name: name.to_owned(),
            });
        };
        let key = (home, kind_word(kind), name.to_owned());
        if let Some(&id) = self.globals.get(&key) {
            return Ok((id, el));
        }
        let id = self.reserve(home, kind, name)?;
        // Registered before its content is read: `part` contains `part`.
        self.globals.insert(key, id);
        self.fill(id, home, kind, el)?;
        Ok((id, el))
    }

    /// A new inline definition's id (built now: it has one use).
    fn inline(&mut self, m: usize, kind: DefKind, el: &'m Element) -> Result<DefId, ReadError> {
        let file = self.module(m)?.file.clone();
        let name = required(el, &file, "name")?;
        let id = self.reserve(m, kind, name)?;
        self.fill(id, m, kind, el)?;
        Ok(id)
    }

    fn reserve(&mut self, m: usize, kind: DefKind, name: &str) -> Result<DefId, ReadError> {
        let file = self.module(m)?.file.clone();
        let id = DefId::try_from(self.defs.len()).map_err(|_| ReadError::TooLarge {
            file: file.clone(),
            offset: 0,
            limit: u32::MAX as usize,
            what: "definitions",
        })?;
        self.defs.push(Def {
            name: name.to_owned(),
            module: file,
            kind,
            as_type: None,
            default: None,
            flags: Vec::new(),
            children: Vec::new(),
            json_value_key: None,
            json_value_key_flag: None,
            constraints: Vec::new(),
        });
        Ok(id)
    }

    /// Reads definition element `el` of module `m` into the reserved `id`.
    fn fill(
        &mut self,
        id: DefId,
        m: usize,
        kind: DefKind,
        el: &'m Element,
    ) -> Result<(), ReadError> {
        let file = self.module(m)?.file.clone();
        check_definition(el, kind, &file)?;
        let flags = self.flags(m, el)?;
        let children = match (kind, el.child("model")) {
            (DefKind::Assembly, Some(model)) => {
                let mut children = Vec::new();
                self.model(m, model, &mut children)?;
                children
            }
            _ => Vec::new(),
        };
        let constraints = match el.child("constraint") {
            Some(block) => constraint::block(block, &file, &mut Vec::new())?,
            None => Vec::new(),
        };
        let as_type = match kind {
            // Metaschema's default datatype for a value.
            DefKind::Field | DefKind::Flag => {
                Some(el.attr("as-type").unwrap_or("string").to_owned())
            }
            DefKind::Assembly => None,
        };
        let (json_value_key, json_value_key_flag) = match kind {
            DefKind::Field if !flags.is_empty() => value_key(el, as_type.as_deref(), &file)?,
            _ => (None, None),
        };
        let Some(def) = self.defs.get_mut(id as usize) else {
            return Ok(());
        };
        def.as_type = as_type;
        def.default = el.attr("default").map(str::to_owned);
        def.flags = flags;
        def.children = children;
        def.json_value_key = json_value_key;
        def.json_value_key_flag = json_value_key_flag;
        def.constraints = constraints;
        Ok(())
    }

    /// The flag instances of a definition, in order.
    fn flags(&mut self, m: usize, el: &'m Element) -> Result<Vec<Child>, ReadError> {
        let mut flags = Vec::new();
        for child in el.children() {
            let (def, def_el, instance) = match child.name.as_str() {
                "define-flag" => (self.inline(m, DefKind::Flag, child)?, child, None),
                "flag" => {
                    let file = self.module(m)?.file.clone();
                    let name = required(child, &file, "ref")?;
                    let (id, def_el) = self.global(m, DefKind::Flag, name, child.offset)?;
                    (id, def_el, Some(child))
                }
                _ => continue,
            };
            let name = use_name(instance, def_el);
            flags.push(Child {
                json_key: name.clone(),
                name,
                group: Group::Single,
                def,
            });
        }
        Ok(flags)
    }

    /// The model instances inside `model` (or a `choice` in it), appended to `out` in order.
    fn model(
        &mut self,
        m: usize,
        model: &'m Element,
        out: &mut Vec<Child>,
    ) -> Result<(), ReadError> {
        let file = self.module(m)?.file.clone();
        for child in model.children() {
            let (kind, inline) = match child.name.as_str() {
                "assembly" => (DefKind::Assembly, false),
                "field" => (DefKind::Field, false),
                "define-assembly" => (DefKind::Assembly, true),
                "define-field" => (DefKind::Field, true),
                "choice" => {
                    self.model(m, child, out)?;
                    continue;
                }
                // No `<any/>` is active in OSCAL's modules; nothing to map it to.
                "any" => continue,
                _ => return Err(unexpected(child, model, &file)),
            };
            let (def, def_el, instance) = if inline {
                (self.inline(m, kind, child)?, child, None)
            } else {
                let name = required(child, &file, "ref")?;
                let (id, def_el) = self.global(m, kind, name, child.offset)?;
                (id, def_el, Some(child))
            };
            out.push(model_child(def, def_el, instance, child, &file)?);
        }
        Ok(())
    }
}

/// The child for a model instance: `el` is the instance element (a ref, or the inline
/// definition itself), `def_el` its definition.
fn model_child(
    def: DefId,
    def_el: &Element,
    instance: Option<&Element>,
    el: &Element,
    file: &str,
) -> Result<Child, ReadError> {
    let name = use_name(instance, def_el);
    let many = match el.attr("max-occurs") {
        None => false,
        Some("unbounded") => true,
        Some(n) => {
            n.parse::<u64>()
                .map_err(|_| bad_value(el, file, "max-occurs", n))?
                > 1
        }
    };
    let group_as = el.child("group-as");
    if !many {
        return Ok(Child {
            json_key: name.clone(),
            name,
            group: Group::Single,
            def,
        });
    }
    let json_key = match group_as {
        Some(g) => required(g, file, "name")?.to_owned(),
        None => name.clone(),
    };
    let group = match group_as.and_then(|g| g.attr("in-json")) {
        Some("ARRAY") => Group::Array,
        None | Some("SINGLETON_OR_ARRAY") => Group::SingletonOrArray,
        Some("BY_KEY") => {
            let key = def_el
                .child("json-key")
                .ok_or_else(|| missing(def_el, file, "json-key"))?;
            Group::ByKey(required(key, file, "flag-ref")?.to_owned())
        }
        Some(other) => return Err(bad_value(el, file, "in-json", other)),
    };
    Ok(Child {
        name,
        json_key,
        group,
        def,
    })
}

/// The name an instance goes by: the instance's `use-name`, else the definition's, else the
/// definition's name.
fn use_name(instance: Option<&Element>, def_el: &Element) -> String {
    instance
        .and_then(|i| i.child("use-name"))
        .or_else(|| def_el.child("use-name"))
        .map(Element::plain_text)
        .or_else(|| def_el.attr("name").map(str::to_owned))
        .unwrap_or_default()
}

/// The JSON key of a field-with-flags' value: explicit, from a flag, or Metaschema's default
/// for its type (`RICHTEXT` for markup-line, `PROSE` for markup-multiline, else `STRVALUE`).
fn value_key(
    el: &Element,
    as_type: Option<&str>,
    file: &str,
) -> Result<(Option<String>, Option<String>), ReadError> {
    if let Some(key) = el.child("json-value-key") {
        return Ok((Some(key.plain_text()), None));
    }
    if let Some(flag) = el.child("json-value-key-flag") {
        return Ok((None, Some(required(flag, file, "flag-ref")?.to_owned())));
    }
    let default = match as_type {
        Some("markup-line") => "RICHTEXT",
        Some("markup-multiline") => "PROSE",
        _ => "STRVALUE",
    };
    Ok((Some(default.to_owned()), None))
}

/// Refuses the Metaschema constructs this reader does not map (rather than half-reading them).
fn check_definition(el: &Element, kind: DefKind, file: &str) -> Result<(), ReadError> {
    let unsupported = el
        .children()
        .chain(el.child("model").into_iter().flat_map(Element::children))
        .find(|c| matches!(c.name.as_str(), "choice-group" | "discriminator"));
    if let Some(c) = unsupported {
        return Err(ReadError::Unsupported {
            file: file.to_owned(),
            offset: c.offset,
            element: c.name.clone(),
        });
    }
    if kind != DefKind::Assembly && el.child("model").is_some() {
        return Err(unexpected(el.child("model").unwrap_or(el), el, file));
    }
    Ok(())
}
