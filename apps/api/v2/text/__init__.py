"""`/api/model_references/v2/text_generation/…`: the text-model toolkit (issue 11).

- `names.py`: parse_name, compose_name, distinct_baselines;
- `groups.py`: groups, group, groups/summary, groups/health, group/common_fields,
  group/name_schema, {model_name}/name_exception;
- `stores.py`: aliases and families (and families/detect);
- `base.py`: the order of checks, `bodies.py`: request bodies, `serializers.py`: responses;
- `urls.py`: the routes, mounted above the generic /{category} ones.
"""
