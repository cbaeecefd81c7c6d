package ollama_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/slmmux/slmmux/engine"
	"github.com/slmmux/slmmux/models/ollama"
	"github.com/slmmux/slmmux/models/ollama/ollamatest"
)

func tagsServer(t *testing.T, tags string) *ollama.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/tags":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(tags))
		case "/api/version":
			w.Write([]byte(`{"version":"0.33.0"}`))
		case "/api/show":
			w.Write([]byte(`{"details":{"family":"qwen2"},"model_info":{"general.architecture":"qwen2","qwen2.context_length":32768,"qwen2.block_count":28},"capabilities":["completion","tools"]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := ollama.New(ollama.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A v0.30+ /api/tags: cloud models, capabilities and the context length
// reach models.Info; the engine leaves the cloud and embedding-only
// models out of the default list and refuses them asked for.
func TestInstalledV030Tags(t *testing.T) {
	c := tagsServer(t, ollamatest.TagsV030)
	list, err := c.Installed(t.Context())
	if err != nil || len(list) != 3 {
		t.Fatalf("installed: %+v %v", list, err)
	}
	q, cloud, emb := list[0], list[1], list[2]
	if q.Remote || q.ContextLength != 32768 || !slices.Equal(q.Capabilities, []string{"completion", "tools"}) || !q.Generates() || q.Digest == "" {
		t.Errorf("local model: %+v", q)
	}
	if !cloud.Remote || cloud.RemoteHost != "https://ollama.com:443" || cloud.RemoteModel != "gpt-oss:120b" || cloud.ContextLength != 131072 {
		t.Errorf("cloud model: %+v", cloud)
	}
	if emb.Remote || emb.Generates() || emb.ContextLength != 2048 {
		t.Errorf("embedding model: %+v", emb)
	}

	hosts := []engine.Host{{Name: "local", Installed: list}}
	r := engine.ResolveModels(hosts, nil)
	if !slices.Equal(r.Names, []string{"qwen2.5:1.5b"}) || len(r.Unusable) != 2 {
		t.Errorf("default list: %+v", r)
	}
	r = engine.ResolveModels(hosts, []string{"gpt-oss:120b-cloud", "nomic-embed-text", "qwen2.5:1.5b"})
	if len(r.Refused) != 2 || !r.Refused[0].Remote || r.Refused[1].Remote || len(r.Missing) != 0 {
		t.Errorf("asked for: %+v", r)
	}

	info, err := c.Show(t.Context(), "qwen2.5:1.5b")
	if err != nil || info.ContextLength != 32768 || info.Remote || !info.Generates() {
		t.Errorf("show: %+v %v", info, err)
	}
}

// An older daemon's /api/tags (no capabilities, context_length or
// remote_host): nothing is left out, and the context length comes from
// /api/show.
func TestInstalledOldTags(t *testing.T) {
	c := tagsServer(t, `{"models":[{"name":"qwen2.5:1.5b","model":"qwen2.5:1.5b","modified_at":"2025-04-02T10:11:12Z","size":986061892,
 "digest":"65ec06548149","details":{"format":"gguf","family":"qwen2","parameter_size":"1.5B","quantization_level":"Q4_K_M"}}]}`)
	list, err := c.Installed(t.Context())
	if err != nil || len(list) != 1 || list[0].Remote || list[0].Capabilities != nil || list[0].ContextLength != 0 || !list[0].Generates() {
		t.Fatalf("installed: %+v %v", list, err)
	}
	hs, err := engine.NewHosts([]engine.Host{{Name: "local", Generator: c, Inventory: c, Installed: list}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := hs.CheckContext(t.Context(), []string{"qwen2.5:1.5b"}, 32768); err != nil {
		t.Errorf("num_ctx at the context length: %v", err)
	}
	err = hs.CheckContext(t.Context(), []string{"qwen2.5:1.5b"}, 65536)
	if ce, ok := err.(*engine.ContextError); !ok || ce.ContextLength != 32768 || ce.NumCtx != 65536 || ce.Model != "qwen2.5:1.5b" {
		t.Errorf("num_ctx above the context length: %v", err)
	}
}

// A daemon that answers /api/tags with an error status is a StatusError.
func TestInstalledStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"boom"}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	c, _ := ollama.New(ollama.Config{Host: srv.URL})
	_, err := c.Installed(t.Context())
	var se *ollama.StatusError
	if !errors.As(err, &se) || se.Code != 500 || se.Message != "boom" {
		t.Fatalf("got %v", err)
	}
}
