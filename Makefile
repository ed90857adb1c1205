# sam build runs `make build-<LogicalId>` here for every function whose Metadata says BuildMethod: makefile,
# with ARTIFACTS_DIR set to that function's package folder. All four functions are one package: the handler
# string (_HANDLER) picks the function.
#
# FUNCTION_BUILD must match the template's FunctionBuild parameter (sam build does not pass parameters to make):
#   aot      (default) the Native AOT `bootstrap` for provided.al2023, linux-x64 (see README: why not arm64)
#   managed  OpsPipeline.Functions for the managed dotnet10 runtime, ReadyToRun for linux-x64
# Both builds package ops-pipeline.yaml beside the code (OPS_CONFIG_FILE).
FUNCTION_BUILD ?= aot
# The template's Architectures: [x86_64]; a test checks the two agree and that the binary is x86-64.
LAMBDA_RID := linux-x64
DOTNET ?= dotnet

.PHONY: build-DecideFunction build-TickFunction build-DeliverFunction build-DlqEnrichFunction package package-aot package-managed

build-DecideFunction build-TickFunction build-DeliverFunction build-DlqEnrichFunction: package

package: package-$(FUNCTION_BUILD)

# The package is the binary and the config: the stripped symbols (bootstrap.dbg), the referenced projects'
# pdb and XML docs are for debugging and editors here, not for Lambda.
package-aot:
	$(DOTNET) publish functions/OpsPipeline.Bootstrap/OpsPipeline.Bootstrap.csproj -c Release -r $(LAMBDA_RID) -o "$(ARTIFACTS_DIR)" --nologo
	rm -f "$(ARTIFACTS_DIR)"/*.dbg "$(ARTIFACTS_DIR)"/*.pdb "$(ARTIFACTS_DIR)"/*.xml
	test -x "$(ARTIFACTS_DIR)/bootstrap"

package-managed:
	$(DOTNET) publish functions/OpsPipeline.Functions/OpsPipeline.Functions.csproj -c Release -r $(LAMBDA_RID) --self-contained false -o "$(ARTIFACTS_DIR)" --nologo
