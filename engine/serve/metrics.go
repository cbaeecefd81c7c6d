package serve

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, on a registry of its own.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	queue      prometheus.GaugeFunc
	samples    *prometheus.CounterVec
	loads      prometheus.Counter
	schedLoads prometheus.CounterFunc
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "slmmux_requests_total",
		Help: "HTTP requests by route, model and status code."}, []string{"route", "model", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "slmmux_request_duration_seconds",
		Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 12)}, []string{"route"})
	m.queue = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "slmmux_queue_depth",
		Help: "Ensemble requests admitted and not yet answered."}, func() float64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return float64(s.waiting)
	})
	m.samples = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "slmmux_samples_generated_total",
		Help: "Samples generated for ensembles, by member model."}, []string{"model"})
	m.loads = prometheus.NewCounter(prometheus.CounterOpts{Name: "slmmux_model_loads_total",
		Help: "Model loads the ensembles' requests caused (slow preloads, and requests that waited for a load)."})
	m.schedLoads = prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "slmmux_scheduler_loads_total",
		Help: "Model loads the scheduler started (a model stays loaded until a waiting model needs its memory)."},
		func() float64 {
			if s.cfg.Scheduler == nil {
				return 0
			}
			return float64(s.cfg.Scheduler.Loads())
		})
	m.reg.MustRegister(m.requests, m.latency, m.queue, m.samples, m.loads, m.schedLoads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// reqInfo is what handlers tell the metrics about a request.
type reqInfo struct{ model string }

type infoKey struct{}

// setModel records the model a request asked for.
func setModel(r *http.Request, model string) {
	if i, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		i.model = model
	}
}

// routes are the metric's route labels; anything else is "passthrough".
var routes = map[string]bool{"/": true, "/health": true, "/metrics": true, "/api/chat": true, "/api/generate": true,
	"/api/show": true, "/api/tags": true, "/v1/chat/completions": true, "/v1/completions": true, "/v1/models": true}

// observe wraps next to count and time every request.
func (m *metrics) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		route := r.URL.Path
		if !routes[route] {
			route = "passthrough"
		}
		m.requests.WithLabelValues(route, info.model, strconv.Itoa(rec.status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// recorder remembers the status code; it flushes, so streams pass.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// requestModel is the model setModel recorded ("" when none).
func requestModel(r *http.Request) string {
	if i, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return i.model
	}
	return ""
}
