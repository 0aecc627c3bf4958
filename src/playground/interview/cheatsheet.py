"""The framework cheat sheet: steps and budgets, key formulas, numbers worth knowing, and the
L4 ceilings and L5 signals of every lesson (from :mod:`playground.course`)."""

from __future__ import annotations

from playground import course, framework
from playground.interview.mock_rounds import PLAYBOOK

FORMULAS: tuple[tuple[str, str, str], ...] = (
    ("l03", "Embedding store", r"\text{bytes} = N \cdot d \cdot b \cdot \text{replicas}"),
    ("l03", "Sampled softmax with logQ", r"s(u,i) = u^\top v_i - \log Q(i)"),
    ("l03", "logQ of mixed negatives (B in-batch, R uniform over n items)",
     r"Q(i) = \frac{B\,p_i + R/n}{B + R}"),
    ("l04", "Downsampling correction", r"q = \frac{p}{p + (1-p)/w}"),
    ("l04", "Multi-task blend (needs calibrated heads)", r"s = \hat p_{\text{click}} + \lambda\,\hat p_{\text{watch}}"),
    ("l04", "Expected calibration error", r"\mathrm{ECE} = \sum_b \frac{n_b}{N}\,\lvert \bar y_b - \bar p_b \rvert"),
    ("l05", "Fan-out tail", r"P(\text{request} \le t) = F(t)^N"),
    ("l05", "Utilisation", r"\rho = \frac{\lambda}{c\,\mu}"),
    ("l06", "Sample size per arm", r"n = \frac{(z_{1-\alpha/2} + z_{1-\beta})^2\,(p_1 q_1 + p_2 q_2)}{(p_2-p_1)^2}"),
    ("l06", "CUPED", r"Y' = Y - \theta (X - \bar X),\ \theta = \frac{\mathrm{cov}(X,Y)}{\mathrm{var}(X)},\ \mathrm{var}(Y') = (1-\rho^2)\,\mathrm{var}(Y)"),
    ("l06", "O'Brien–Fleming spending (per side, gsDesign)", r"\alpha_{\text{side}}(t) = 2 - 2\Phi\!\left(z_{1-\alpha/4}/\sqrt{t}\right)"),
    ("l06", "Benjamini–Hochberg", r"\text{reject } p_{(1..k)},\ k = \max\{i : p_{(i)} \le i\,\alpha / m\}"),
    ("l06", "NDCG@k", r"\mathrm{DCG@}k = \sum_{i=1}^{k} \frac{\mathrm{rel}_i}{\log_2(i+1)}"),
    ("l07", "Alert threshold by cost", r"\theta^* = \arg\min_\theta\ C_{\text{false}}\,\#\text{false alarms}(\theta) + C_{\text{miss}}\,\text{delay}(\theta)"),
    ("l07", "PSI", r"\mathrm{PSI} = \sum_b (a_b - e_b) \ln\frac{a_b}{e_b}"),
    ("l09", "Reciprocal rank fusion", r"s(d) = \sum_r \frac{1}{k + \mathrm{rank}_r(d)}"),
    ("l10", "KV cache", r"\text{bytes} = 2 \cdot L \cdot h_{kv} \cdot d_h \cdot T \cdot B \cdot b"),
    ("l10", "Decode step (memory bound)", r"t_{\text{token}} \approx \frac{\text{weights} + \text{KV}}{\text{bandwidth}}"),
    ("l12", "GSP price per click", r"\text{CPC}_j = \frac{\text{bid}_{j+1}\,\text{pCTR}_{j+1}}{\text{pCTR}_j}"),
    ("l12", "IPS", r"\hat V = \frac{1}{n}\sum_i \frac{\pi(a_i \mid x_i)}{\mu(a_i \mid x_i)}\, r_i"),
    ("l14", "Pinball loss", r"L_q(y,\hat y) = \max\big(q (y-\hat y),\ (q-1)(y-\hat y)\big)"),
    ("l15", "Symmetric InfoNCE", r"\mathcal L = \tfrac12\big(\mathrm{CE}(S/\tau, I) + \mathrm{CE}(S^\top/\tau, I)\big)"),
)

NUMBERS: tuple[tuple[str, str], ...] = (
    ("Interview round", "45 minutes: 5 clarify, 6 metrics, 8 data, 10 model, 9 serving, 7 evaluation"),
    ("Recsys request budget", "~200 ms p99 server side; ranking ~1,000 candidates"),
    ("Exact search, 1M × 64 fp32, 2 CPU cores", "~120 queries/s batched (SPEC measurement)"),
    ("HNSW at 1M (M=32)", "~0.95 recall@10 at ~170× exact-search QPS (SPEC measurement)"),
    ("1B items × 128 dims", "512 GB fp32, 256 GB fp16, 16 GB with PQ m=16"),
    ("Fan-out to 100 shards", "63 % of requests hit at least one shard's p99 tail (1 − 0.99¹⁰⁰)"),
    ("A/B, 10 % baseline, +1 pp", "14,749 users per arm (α 0.05, power 0.8)"),
    ("O'Brien–Fleming, 5 looks, α 0.05", "|z| > 4.877, 3.357, 2.680, 2.290, 2.031 (gsDesign / ldbounds)"),
    ("20 metrics at α 0.05, no correction", "64 % of null experiments show at least one 'win' (1 − 0.95²⁰)"),
    ("PSI thresholds", "< 0.1 stable, 0.1–0.25 moderate, > 0.25 major"),
    ("Llama-2-7B fp16", "13.5 GB weights; 0.5 MiB KV cache per token"),
    ("all-MiniLM-L6-v2 on 2 shared CPU cores (docs/BENCHMARKS.md)",
     "~2 documentation passages/s (sentence vectors; ~3/s for the reranker's token vectors), ~8 short "
     "queries/s, measured at load average 13; 384 dims"),
)


def markdown() -> str:
    """The whole cheat sheet as Markdown (for display and download)."""
    lines = ["# ML system design cheat sheet", "", "## The 6-step framework (45 minutes)", ""]
    for i, step in enumerate(framework.STEPS, start=1):
        lines.append(f"{i}. **{step.name}** ({step.minutes} min): " + "; ".join(step.checklist))
    lines += ["", "## Key formulas", ""]
    lines += [f"- {name} (lesson {lid[1:]}): $ {tex} $" for lid, name, tex in FORMULAS]
    lines += ["", "## Numbers worth knowing", ""]
    lines += [f"- **{name}**: {value}" for name, value in NUMBERS]
    lines += ["", "## What the interviewer grades, lesson by lesson", ""]
    for lesson in course.LESSONS:
        lines.append(f"### {lesson.label}")
        lines += [f"- L4 ceiling: {item}" for item in lesson.l4]
        lines += [f"- L5 signal: {item}" for item in lesson.l5]
        lines.append("")
    lines += ["## Day-of playbook", ""] + [f"- {item}" for item in PLAYBOOK]
    return "\n".join(lines) + "\n"
