//! `yardstick cluster`: a Ballista scheduler and N executors in this
//! process, on loopback, for development and tests. They carry Yardstick's
//! functions and codec (`super::with_yardstick`), which stock Ballista
//! binaries do not. The command stays in the foreground until Ctrl-C or
//! SIGTERM, which removes the executors' scratch folder and ends the
//! process (status 130, like every command stopped by a signal).

use super::with_yardstick;
use crate::{Exit, Fatal};
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::extension::SessionConfigExt;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::serde::protobuf::scheduler_grpc_server::SchedulerGrpcServer;
use ballista_core::serde::BallistaCodec;
use ballista_core::utils::{create_grpc_server, GrpcServerConfig};
use ballista_core::ConfigProducer;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_server::{SchedulerServer, SessionBuilder};
use datafusion::execution::context::SessionState;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::SessionConfig;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;

/// At most this many executors: each is a gRPC server and a task loop.
pub const MAX_EXECUTORS: usize = 64;

/// Runs the cluster until the process is stopped.
pub fn run(port: u16, executors: usize) -> Result<Exit, Fatal> {
    if !(1..=MAX_EXECUTORS).contains(&executors) {
        return Err(Fatal(format!(
            "--executors {executors}: give between 1 and {MAX_EXECUTORS}"
        )));
    }
    let scratch = tempfile::Builder::new()
        .prefix("yardstick-cluster-")
        .tempdir()
        .map_err(|e| Fatal(format!("cannot make the executors' scratch folder: {e}")))?;
    // Executors write shuffle files under a temporary folder of their own
    // making: inside ours, so a stop by signal removes them.
    let _ = tempfile::env::override_temp_dir(scratch.path());
    crate::outfile::remove_if_interrupted(scratch.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::DEEP_STACK / 8)
        .build()
        .map_err(|e| Fatal(format!("cannot start the cluster's runtime: {e}")))?;
    runtime.block_on(async {
        let scheduler = start(port, executors).await?;
        crate::stdio::println(&format!(
            "Ballista scheduler listening on {scheduler} with {executors} executor{}; \
             query it with --engine ballista://{scheduler}; stop with Ctrl-C",
            if executors == 1 { "" } else { "s" }
        ))?;
        // Runs until a signal ends the process (`outfile::clean_up_on_signals`).
        std::future::pending::<()>().await;
        Ok(Exit::Ok)
    })
}

/// Starts the scheduler on `127.0.0.1:port` (any free port for 0) and
/// `executors` executors registered with it; gives the scheduler's address.
pub async fn start(port: u16, executors: usize) -> Result<SocketAddr, Fatal> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                "the port is in use; stop what listens there or choose another --port".to_owned()
            } else {
                e.to_string()
            };
            Fatal(format!("cannot listen on 127.0.0.1:{port}: {why}"))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Fatal(format!("cannot read the scheduler's address: {e}")))?;
    let state = with_yardstick(crate::memory::new_session().state());
    serve_scheduler(listener, address, &state).await?;
    let vcores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .div_ceil(executors)
        .max(1);
    for _ in 0..executors {
        let client = SchedulerGrpcClient::connect(format!("http://{address}"))
            .await
            .map_err(|e| Fatal(format!("an executor cannot reach the scheduler: {e}")))?;
        ballista_executor::new_standalone_executor_from_state(client, vcores, &state)
            .await
            .map_err(|e| Fatal(format!("cannot start an executor: {e}")))?;
    }
    Ok(address)
}

/// The scheduler, decoding plans with `state`'s codec and planning them
/// with its functions, served on `listener` in the background.
async fn serve_scheduler(
    listener: TcpListener,
    address: SocketAddr,
    state: &SessionState,
) -> Result<(), Fatal> {
    let config = state.config().clone().upgrade_for_ballista();
    let codec: BallistaCodec<LogicalPlanNode, PhysicalPlanNode> = BallistaCodec::new(
        config.ballista_logical_extension_codec(),
        config.ballista_physical_extension_codec(),
    );
    let max_message = config.ballista_grpc_client_max_message_size();
    let planning = state.clone();
    // Each job is planned with the settings it was sent with, and with
    // Yardstick's functions and codec.
    let session_builder: SessionBuilder = Arc::new(move |job: SessionConfig| {
        Ok(with_yardstick(
            SessionStateBuilder::new_from_existing(planning.clone())
                .with_config(job)
                .build(),
        ))
    });
    let config_producer: ConfigProducer = Arc::new(move || config.clone());
    let name = address.to_string();
    let cluster = BallistaCluster::new_memory(name.clone(), session_builder, config_producer);
    let metrics = ballista_scheduler::metrics::default_metrics_collector()
        .map_err(|e| Fatal(format!("cannot start the scheduler: {e}")))?;
    let policy = SchedulerConfig::default().with_scheduler_policy(TaskSchedulingPolicy::PullStaged);
    let mut scheduler: SchedulerServer<LogicalPlanNode, PhysicalPlanNode> =
        SchedulerServer::new(name, cluster, codec, Arc::new(policy), metrics);
    scheduler
        .init()
        .await
        .map_err(|e| Fatal(format!("cannot start the scheduler: {e}")))?;
    let service = SchedulerGrpcServer::new(scheduler)
        .max_decoding_message_size(max_message)
        .max_encoding_message_size(max_message);
    tokio::spawn(
        create_grpc_server(&GrpcServerConfig::default())
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    Ok(())
}
