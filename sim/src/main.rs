//! `kubesim`: run the simulator from the command line.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use kubesim::{KubeconfigOptions, Scenario, Sim, V1OutputFormat};

#[derive(Clone, Copy, ValueEnum)]
enum ScenarioArg {
    V1,
    #[value(name = "v1-legacy")]
    V1Legacy,
    V2,
    Mixed,
}

/// A Kubernetes API server simulator for kubectl-coder's tests.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Which cluster to serve.
    #[arg(long, value_enum, default_value = "v1")]
    scenario: ScenarioArg,
    /// Where to write the kubeconfig.
    #[arg(long, default_value = "./kubesim.kubeconfig")]
    kubeconfig: PathBuf,
    /// Namespace written into the kubeconfig context.
    #[arg(long)]
    namespace: Option<String>,
    /// Delay added before answering every request.
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    /// Kubernetes minor version to report (1.<minor>.4).
    #[arg(long, default_value_t = 32)]
    kube_version: u32,
    /// Append every request as a JSON line to this file.
    #[arg(long)]
    request_log: Option<PathBuf>,
    /// Exit after this many seconds.
    #[arg(long)]
    exit_after: Option<u64>,
    /// How the emulated coderd prints (v1 scenarios): boxed, endless (never ends, for the
    /// bounds benchmark).
    #[arg(long, value_enum, default_value = "boxed")]
    v1_output: V1OutputArg,
    /// Pad every pod list with this many bytes (an oversized answer).
    #[arg(long, default_value_t = 0)]
    pad_pod_lists: usize,
    /// Also serve this many ordinary application pods (a few KB each), for benchmarks.
    #[arg(long, default_value_t = 0)]
    app_pods: usize,
    /// Spread the application pods over this many namespaces (apps-000, ...); 1 is `apps`.
    #[arg(long, default_value_t = 1)]
    app_namespaces: usize,
    /// Also serve this many Coder v2 deployments, one per namespace (coder-000, ...), each
    /// with a provisioner and a workspace: for `status -A` benchmarks.
    #[arg(long, default_value_t = 0)]
    coder_namespaces: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum V1OutputArg {
    Boxed,
    Endless,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scenario = match args.scenario {
        ScenarioArg::V1 => Scenario::V1,
        ScenarioArg::V1Legacy => Scenario::V1Legacy,
        ScenarioArg::V2 => Scenario::V2,
        ScenarioArg::Mixed => Scenario::Mixed,
    };
    let v1_output = match args.v1_output {
        V1OutputArg::Boxed => V1OutputFormat::Boxed,
        V1OutputArg::Endless => V1OutputFormat::Endless,
    };
    let mut builder = Sim::builder().kube_version(args.kube_version);
    let (namespaces, pods) = kubesim::fixtures::scenario(scenario);
    for namespace in namespaces {
        builder = builder.namespace(&namespace);
    }
    for pod in pods {
        builder = builder.pod(pod.v1_output(v1_output));
    }
    if args.app_pods > 0 {
        let (namespaces, pods) = kubesim::fixtures::app_pods(args.app_namespaces, args.app_pods);
        for namespace in namespaces {
            builder = builder.namespace(&namespace);
        }
        for pod in pods {
            builder = builder.pod(pod);
        }
    }
    if args.coder_namespaces > 0 {
        let (namespaces, pods) = kubesim::fixtures::coder_fleet(args.coder_namespaces);
        for namespace in namespaces {
            builder = builder.namespace(&namespace);
        }
        for pod in pods {
            builder = builder.pod(pod);
        }
    }
    if let Some(p) = &args.request_log {
        builder = builder.request_log(p);
    }
    let sim = builder.start()?;
    sim.set_delay(Duration::from_millis(args.delay_ms));
    sim.pad_pod_lists(args.pad_pod_lists);
    let opts = KubeconfigOptions {
        namespace: args.namespace.clone(),
        ..Default::default()
    };
    sim.write_kubeconfig(&args.kubeconfig, &opts)?;
    eprintln!(
        "kubesim: serving {} (Kubernetes v1.{}.4), kubeconfig {}",
        sim.url(),
        args.kube_version,
        args.kubeconfig.display()
    );
    let mut out = std::io::stdout();
    writeln!(out, "READY {}", sim.url())?;
    out.flush()?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let exit_after = async {
            match args.exit_after {
                Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => eprintln!("kubesim: interrupted"),
            _ = term.recv() => eprintln!("kubesim: terminated"),
            _ = exit_after => eprintln!("kubesim: --exit-after elapsed"),
        }
        anyhow::Ok(())
    })?;
    drop(sim);
    Ok(())
}
