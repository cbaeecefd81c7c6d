package ollamatest

// TagsV030 is /api/tags as a v0.30+ daemon answers it (recorded shape), for
// tests of what older daemons cannot show:
// a local model with capabilities and context_length, a cloud model with
// remote_host/remote_model, an embedding-only model.
const TagsV030 = `{"models":[
{"name":"qwen2.5:1.5b","model":"qwen2.5:1.5b","modified_at":"2026-05-02T10:11:12.123456789Z","size":986061892,
 "digest":"65ec06548149ab59a51e4b6d5d09a3ee1b26ce3f1f9e1a1c1d5f1e8a1f1b2c3d",
 "details":{"parent_model":"","format":"gguf","family":"qwen2","families":["qwen2"],"parameter_size":"1.5B","quantization_level":"Q4_K_M"},
 "capabilities":["completion","tools"],"context_length":32768},
{"name":"gpt-oss:120b-cloud","model":"gpt-oss:120b-cloud","remote_model":"gpt-oss:120b","remote_host":"https://ollama.com:443",
 "modified_at":"2026-05-01T09:00:00Z","size":384,"digest":"569662207105d3e1bd2cfc0a1b6c2c8b9d2f0e1a2b3c4d5e6f708192a3b4c5d6",
 "details":{"parent_model":"","format":"","family":"gptoss","families":["gptoss"],"parameter_size":"116.8B","quantization_level":"MXFP4"},
 "capabilities":["completion","tools","thinking"],"context_length":131072},
{"name":"nomic-embed-text:latest","model":"nomic-embed-text:latest","modified_at":"2026-04-30T08:00:00Z","size":274302450,
 "digest":"0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f",
 "details":{"parent_model":"","format":"gguf","family":"nomic-bert","families":["nomic-bert"],"parameter_size":"137M","quantization_level":"F16"},
 "capabilities":["embedding"],"context_length":2048}]}`
