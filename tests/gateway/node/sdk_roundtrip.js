// The Node SDK (@camunda8/sdk) against `honeyflow gateway`, unchanged: deploy a process, a gRPC
// worker completing its jobs, createProcessInstanceWithResult for each of a few instances.
// Usage: node sdk_roundtrip.js HOST:PORT PROCESS.bpmn PROCESS_ID JOB_TYPE
// Prints one JSON line: {"deployed": ..., "results": [...], "handled": n}.
const { Camunda8 } = require('@camunda8/sdk')

async function main() {
  const [address, bpmn, processId, jobType] = process.argv.slice(2)
  const c8 = new Camunda8({
    ZEEBE_GRPC_ADDRESS: `grpc://${address}`,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_SECURE_CONNECTION: false,
    CAMUNDA_LOG_LEVEL: 'error',
  })
  const zeebe = c8.getZeebeGrpcApiClient()
  const deployed = await zeebe.deployResource({ processFilename: bpmn })
  let handled = 0
  const worker = zeebe.createWorker({
    taskType: jobType,
    fetchVariable: ['amount'],
    taskHandler: (job) => {
      handled += 1
      return job.complete({ charged: job.variables.amount * 2, seen: Object.keys(job.variables) })
    },
  })
  const results = await Promise.all(
    [1, 2, 3].map((amount) =>
      zeebe.createProcessInstanceWithResult({
        bpmnProcessId: processId,
        variables: { amount, secret: 'x' },
        requestTimeout: 60000,
      })
    )
  )
  await worker.close()
  await zeebe.close()
  console.log(JSON.stringify({ deployed, results, handled }))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
