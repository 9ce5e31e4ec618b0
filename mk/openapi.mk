# mk/openapi.mk — `make openapi-lint`: Redocly's recommended rules (redocly.yaml)
# on the OpenAPI document that the running server serves (scripts/lint-openapi).

.PHONY: openapi-lint

openapi-lint: $(BUILD)/csec
	scripts/lint-openapi

CHECK_STEPS += openapi-lint
