/*
 * test_wasmtime.c - smoke test of the statically linked wasmtime C API.
 *
 * wasmtime is orca's riskiest dependency (a Rust library built by cargo and
 * linked into a C binary), so this proves the pieces orca relies on are in
 * the archive: core modules compile and run, components compile, and the
 * WASI P2 and wasi:http host interfaces link.
 */
#include "unit.h"

#include <wasmtime.h>

static const char add_wat[] =
	"(module (func (export \"add\") (param i32 i32) (result i32)"
	"  local.get 0 local.get 1 i32.add))";

static int wat(const char *text, wasm_byte_vec_t *out)
{
	wasmtime_error_t *error = wasmtime_wat2wasm(text, strlen(text), out);

	if (error != NULL) {
		wasmtime_error_delete(error);
		return -1;
	}
	return 0;
}

TEST(version_is_pinned)
{
	EXPECT_STREQ("48.0.8", WASMTIME_VERSION);
}

TEST(core_module_compiles_and_runs)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasmtime_store_t *store = wasmtime_store_new(engine, NULL, NULL);
	wasmtime_context_t *cx = wasmtime_store_context(store);
	wasm_byte_vec_t bin;
	wasmtime_module_t *module = NULL;
	wasmtime_instance_t instance;
	wasm_trap_t *trap = NULL;
	wasmtime_extern_t fn;
	wasmtime_val_t args[2], result;

	EXPECT_EQ_INT(0, wat(add_wat, &bin));
	EXPECT_NULL(wasmtime_module_new(engine, (uint8_t *)bin.data, bin.size, &module));
	wasm_byte_vec_delete(&bin);
	EXPECT_NULL(wasmtime_instance_new(cx, module, NULL, 0, &instance, &trap));
	EXPECT_TRUE(wasmtime_instance_export_get(cx, &instance, "add", 3, &fn));
	EXPECT_EQ_INT(WASMTIME_EXTERN_FUNC, fn.kind);
	args[0].kind = WASMTIME_I32;
	args[0].of.i32 = 40;
	args[1].kind = WASMTIME_I32;
	args[1].of.i32 = 2;
	EXPECT_NULL(wasmtime_func_call(cx, &fn.of.func, args, 2, &result, 1, &trap));
	EXPECT_EQ_INT(42, result.of.i32);
	wasmtime_module_delete(module);
	wasmtime_store_delete(store);
	wasm_engine_delete(engine);
}

TEST(invalid_module_is_an_error_not_a_crash)
{
	wasm_engine_t *engine = wasm_engine_new();
	wasmtime_module_t *module = NULL;
	static const uint8_t junk[] = { 0, 'a', 's', 'm', 9, 9, 9, 9 };
	wasmtime_error_t *error = wasmtime_module_new(engine, junk, sizeof(junk), &module);

	EXPECT_NOT_NULL(error);
	EXPECT_NULL(module);
	if (error)
		wasmtime_error_delete(error);
	wasm_engine_delete(engine);
}

TEST(component_compiles_and_wasi_p2_http_link)
{
	wasm_config_t *config = wasm_config_new();
	wasm_engine_t *engine;
	wasm_byte_vec_t bin;
	wasmtime_component_t *component = NULL;
	wasmtime_component_linker_t *linker;
	wasmtime_error_t *error;

	wasmtime_config_wasm_component_model_set(config, true);
	engine = wasm_engine_new_with_config(config);
	EXPECT_EQ_INT(0, wat("(component (core module))", &bin));
	error = wasmtime_component_new(engine, (uint8_t *)bin.data, bin.size, &component);
	EXPECT_NULL(error);
	wasm_byte_vec_delete(&bin);
	linker = wasmtime_component_linker_new(engine);
	EXPECT_NULL(wasmtime_component_linker_add_wasip2(linker));
	EXPECT_NULL(wasmtime_component_linker_add_wasi_http(linker));
	wasmtime_component_linker_delete(linker);
	if (component)
		wasmtime_component_delete(component);
	wasm_engine_delete(engine);
}

UNIT_MAIN
