// A stand-in for a Metaflow flow file, for tests of `run <Flow>`: `python3 hello.py run
// --run-id-file F --alpha 0.5` parses its options the way Metaflow's Click CLI does, writes the
// run id file, records a local datastore run in Metaflow 2.19's layout (_meta
// records, sysmeta items, artifact records, gzip-pickled blobs, MFLOG logs) and prints like
// Metaflow. Parameters: alpha (float; negative fails step `start`), seconds (float; a pause
// before `start`, to be "running" for a while), mode (str).
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EXCEPTION_WRAPPER_PY } from './metaflow-fixtures.ts'

const SCRIPT = String.raw`
import datetime, gzip, hashlib, json, os, pickle, sys, time, uuid
${EXCEPTION_WRAPPER_PY}

FLOW = 'HelloFlow'
PARAMS = {'alpha': (float, 0.1), 'seconds': (float, 0.0), 'mode': (str, 'fast')}

def usage_error(msg):
    sys.stderr.write("Usage: hello.py run [OPTIONS]\nTry 'hello.py run --help' for help.\n\nError: %s\n" % msg)
    sys.exit(2)

argv = sys.argv[1:]
if not argv or argv[0] != 'run':
    usage_error('No such command.')
run_id_file, params, i = None, {k: d for k, (t, d) in PARAMS.items()}, 1
while i < len(argv):
    a = argv[i]
    if i + 1 >= len(argv):
        usage_error("Option '%s' requires an argument." % a if a.startswith('--') else 'Got unexpected extra argument (%s)' % a)
    if a == '--run-id-file':
        run_id_file = argv[i + 1]
    elif a.startswith('--') and a[2:] in PARAMS:
        kind = PARAMS[a[2:]][0]
        try:
            params[a[2:]] = kind(argv[i + 1])
        except ValueError:
            usage_error("Invalid value for '%s': '%s' is not a valid %s." % (a, argv[i + 1], kind.__name__))
    else:
        usage_error('No such option: %s' % a)
    i += 2

user = os.environ.get('METAFLOW_USER')
if not user:
    sys.stderr.write('Unknown user: set METAFLOW_USER\n')
    sys.exit(1)
sysroot = os.environ.get('METAFLOW_DATASTORE_SYSROOT_LOCAL')
root = os.path.join(sysroot, '.metaflow') if sysroot else os.path.join(os.getcwd(), '.metaflow')
flow_dir = os.path.join(root, FLOW)
ms = lambda: int(time.time() * 1000)
system_tags = ['runtime:dev', 'metaflow_version:2.19.38', 'user:' + user, 'python_version:3.11.7']

def put(path, content, mode=0o600):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb' if isinstance(content, bytes) else 'w') as f:
        f.write(content)
    os.chmod(path, mode)

def put_json(path, obj):
    put(path, json.dumps(obj))

def mflog(text):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')
    return '[MFLOG|0|%sZ|runtime|%s]%s\n' % (stamp, uuid.uuid4(), text)

def say(text, err=False):
    line = '%s %s' % (datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S.%f')[:-3], text)
    print(line, file=sys.stderr if err else sys.stdout, flush=True)

if not os.path.exists(os.path.join(flow_dir, '_meta', '_self.json')):
    put_json(os.path.join(flow_dir, '_meta', '_self.json'), {'flow_id': FLOW, 'ts_epoch': ms()})
run_id = str(int(time.time() * 1000000))
base = {'flow_id': FLOW, 'run_number': run_id, 'user_name': user, 'tags': [], 'system_tags': system_tags}
run_dir = os.path.join(flow_dir, run_id)
put_json(os.path.join(run_dir, '_meta', '_self.json'), dict(base, ts_epoch=ms()))
if run_id_file:
    put(run_id_file, run_id, 0o644)
put(os.path.join(flow_dir, 'latest_run'), run_id, 0o644)
say('Workflow starting (run-id %s):' % run_id)

def task(step, task_id, artifacts, ok, out=(), err=(), exc=None):
    step_dir = os.path.join(run_dir, step)
    task_dir = os.path.join(step_dir, task_id)
    put_json(os.path.join(step_dir, '_meta', '_self.json'), dict(base, step_name=step, ts_epoch=ms()))
    put_json(os.path.join(task_dir, '_meta', '_self.json'), dict(base, step_name=step, task_id=task_id, ts_epoch=ms()))
    def meta(field, value, kind=None, attempt=True):
        ts = ms()
        item = {'flow_id': FLOW, 'run_number': run_id, 'step_name': step, 'task_id': task_id, 'field_name': field,
                'type': kind or field, 'value': value, 'tags': ['attempt_id:0'] if attempt else [], 'user_name': user, 'ts_epoch': ts}
        put_json(os.path.join(task_dir, '_meta', 'sysmeta_%s_%d.json' % (field, ts)), item)
        time.sleep(0.002)
    if step == '_parameters':
        meta('start_step', 'start', 'graph_structure', False)
        meta('end_step', 'end', 'graph_structure', False)
    put_json(os.path.join(task_dir, '0.attempt.json'), {'time': time.time()})
    put_json(os.path.join(task_dir, '0.task_begin'), {'code_package_sha': None, 'retry_count': 0})
    meta('attempt', '0', 'attempt')
    meta('ds-type', 'local')
    meta('ds-root', root)
    objects, info = {}, {}
    for name, value in dict(artifacts, _task_ok=ok, _success=ok, _exception=exc, _current_step=step).items():
        blob = pickle.dumps(value, protocol=4)
        sha = hashlib.sha1(blob).hexdigest()
        path = os.path.join(flow_dir, 'data', sha[:2], sha)
        put(path, gzip.compress(blob, 3))
        put_json(path + '_meta', {'cas_raw': False, 'cas_version': 1})
        objects[name] = sha
        info[name] = {'size': len(blob), 'type': str(type(value)), 'encoding': 'pickle-v4', 'serializer_info': {'source': 'metaflow'}}
        put_json(os.path.join(task_dir, '_meta', '0_artifact_%s.json' % name), dict(base, step_name=step, task_id=task_id, attempt_id=0, name=name,
                 content_type='pickle-v4', type='metaflow.artifact', sha=sha, ds_type='local', location=':root:' + root, ts_epoch=ms()))
    put(os.path.join(task_dir, '0.runtime_stdout.log'), ''.join(mflog(l) for l in out))
    put(os.path.join(task_dir, '0.runtime_stderr.log'), ''.join(mflog(l) for l in err))
    meta('attempt_ok', 'True' if ok else 'False', 'internal_attempt_status')
    put_json(os.path.join(task_dir, '0.data.json'), {'datastore': 'local', 'version': '1.0', 'attempt': 0, 'python_version': '3.11.7', 'objects': objects, 'info': info})
    meta('attempt-done', '0', 'attempt-done')
    put_json(os.path.join(task_dir, '0.task_end'), {})
    put(os.path.join(task_dir, '0.DONE.lock'), '')
    put_json(os.path.join(task_dir, '0.runtime'), {'return_code': 0 if ok else 1, 'killed': False, 'success': ok})
    for line in out:
        say('[%s/%s/%s (pid %d)] %s' % (run_id, step, task_id, os.getpid(), line))
    for line in err:
        say('[%s/%s/%s (pid %d)] %s' % (run_id, step, task_id, os.getpid(), line), err=True)

task('_parameters', '0', dict(params, name=FLOW, script_name='hello.py'), True)
time.sleep(params['seconds'])
if params['alpha'] < 0:
    exc = raised(ValueError('alpha must not be negative'))
    err = ['<flow HelloFlow step start> failed:'] + exc.stacktrace.rstrip().split('\n') + ['Task failed.']
    task('start', '1', params, False, out=['starting with alpha=%s' % params['alpha']], err=err, exc=exc)
    say('Step failure: step start failed.', err=True)
    sys.exit(1)
task('start', '1', dict(params, doubled=params['alpha'] * 2), True, out=['starting with alpha=%s' % params['alpha']])
task('end', '2', dict(params, doubled=params['alpha'] * 2, message='hello from ' + params['mode']), True, out=['the end'])
say('Done!')
`

/** Writes `hello.py` into `dir` and returns its path. */
export async function writeStandInFlow(dir: string): Promise<string> {
  const file = join(dir, 'hello.py')
  await writeFile(file, SCRIPT)
  return file
}
