import { badEnumRule } from './schema-rules';
import { SCHEMA_KINDS } from '../model/schema';

export default badEnumRule('istio', {
  id: 'istio-bad-enum',
  description: 'An Istio resource sets an enum field to a value its CRD schema does not allow, e.g. `mode: ISTIO_MUTAL`: the API server rejects the object.',
  kinds: SCHEMA_KINDS,
});
