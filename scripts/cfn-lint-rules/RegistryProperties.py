"""
A cfn-lint rule (loaded by scripts/cfn-lint.sh with --append-rules) that validates the properties of resource
types supplied with --registry-schemas (infra/schemas/) against their schema.

cfn-lint 1.51.0 loads registry schemas (so E3006 "does not exist" goes away) but its property rule (E3002) looks
schemas up only in its bundled per-region tables, so nothing of a registry schema is checked: not the required
properties, patterns or lengths. This rule runs the same schema validation for those types, reporting under
cfn-lint's own ids (E3003 required, E3031 pattern, E3033 length...). It stays silent for any type cfn-lint
validates itself, so a cfn-lint that fixes this (or bundles the type) reports nothing twice.
"""

from collections import deque

from cfnlint.helpers import FUNCTIONS
from cfnlint.rules.resources.properties import Properties as _properties
from cfnlint.schema import ResourceNotFoundError
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER


def _registry_only(resource_type, regions):
    """The registry schema of a type cfn-lint does not validate itself, per region, or None."""
    if next(iter(PROVIDER_SCHEMA_MANAGER.get_resource_schemas_by_regions(resource_type, regions)), None):
        return None
    try:
        return {region: PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type) for region in regions}
    except ResourceNotFoundError:
        return None


class RegistryProperties(_properties.Properties):
    """Resource properties of registry schema types are valid"""

    id = "E9101"
    shortdesc = "Registry resource properties are invalid"
    description = "Validates resources of --registry-schemas types against their schema (E3002 skips them)"
    source_url = "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/cfn-schema-specification.md"
    tags = ["resources", "registry"]

    def validate(self, validator, _, instance, schema):
        if not validator.is_type(instance, "object"):
            return
        resource_type = instance.get("Type")
        if not validator.is_type(resource_type, "string"):
            return
        schemas = _registry_only(resource_type, validator.context.regions)
        if not schemas:
            return
        properties = instance.get("Properties", {})
        if not validator.is_type(properties, "object"):
            return  # E3002 reports a Properties that is not a mapping, whatever the type
        resolved = {}
        if validator.is_type(instance.get("Condition"), "string"):
            resolved = {instance.get("Condition"): True}
        validator = validator.evolve(
            context=validator.context.evolve(
                functions=list(FUNCTIONS),
                strict_types=False,
                conditions=validator.context.conditions.evolve(resolved),
            ),
            function_filter=validator.function_filter.evolve(add_cfn_lint_keyword=True),
        )
        for region, registry_schema in schemas.items():
            region_validator = validator.evolve(
                context=validator.context.evolve(
                    regions=[region],
                    path=validator.context.path.evolve(
                        cfn_path=deque(["Resources", resource_type, "Properties"]),
                    ).descend(path="Properties"),
                ),
            )
            region_validator = self.extend_validator(
                region_validator, registry_schema.schema, region_validator.context.evolve()
            )
            for err in self._validate(region_validator, properties):
                err.path.appendleft("Properties")
                yield err
