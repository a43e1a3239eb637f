import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function ProducerReportPage() {
  return (
    <Page title="ProducerReport">
      <p>This page is not built yet.</p>
    </Page>
  );
}
