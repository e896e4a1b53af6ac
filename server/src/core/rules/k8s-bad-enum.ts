import { badEnumRule } from './schema-rules';
import { K8S_SCHEMA_KINDS } from '../model/schema';

export default badEnumRule('k8s', {
  id: 'k8s-bad-enum',
  description: 'A Gateway API resource or a Kubernetes field meshlint reads has an enum value its schema does not allow, e.g. Service `type: ClusterIp` or a port `protocol: tcp`: the API server rejects the object.',
  kinds: K8S_SCHEMA_KINDS,
});
