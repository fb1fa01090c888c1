"""Reading the YAML files people write (questionnaire versions, answer
sheets): safe loading, and a duplicated key is an error rather than the
silent "last one wins" of PyYAML, since a duplicated answer or field is
always a mistake worth reporting."""

from pathlib import Path

import yaml


class YamlFileError(Exception):
    """The file cannot be read as YAML; the message is for a person."""

    def __init__(self, path, location: str, message: str):
        self.path, self.location, self.message = str(path), location, message
        super().__init__(f"{path}{', ' + location if location else ''} : {message}")


class _StrictLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"la clé « {key} » apparaît deux fois", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _KeysAsWrittenLoader(_StrictLoader):
    """Mapping keys written as plain numbers keep their text: in an answer
    sheet `1.10:` is control point "1.10", not the number 1.1 (which would
    silently give point 1.1 its score; issue 12, finding 11)."""


NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def _construct_mapping_keys_as_written(loader, node, deep=False):
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag in NUMBER_TAGS:
            key_node.tag = "tag:yaml.org,2002:str"
    return _construct_mapping(loader, node, deep=deep)


_KeysAsWrittenLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_keys_as_written
)


def read_yaml(path: Path, keys_as_written: bool = False):
    """The file's data; with `keys_as_written`, numeric mapping keys are
    strings as written (answer sheets: question and control point ids)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise YamlFileError(path, "", "fichier introuvable") from exc
    except UnicodeDecodeError as exc:
        raise YamlFileError(path, "", "le fichier n'est pas encodé en UTF-8") from exc
    except OSError as exc:
        raise YamlFileError(path, "", f"lecture impossible ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_KeysAsWrittenLoader if keys_as_written else _StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntaxe invalide"
        raise YamlFileError(path, where, f"YAML invalide, {problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlFileError(path, "", f"YAML invalide ({exc})") from exc
