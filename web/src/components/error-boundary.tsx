import { Component, type ReactNode } from 'react';
import { ErrorPanel } from './state';

/** A page that throws while rendering says so, with a retry, instead of leaving the window blank. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: unknown; key: string }> {
  override state = { error: undefined as unknown, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: unknown; key: string }) {
    // Another page: forget the failure of the previous one.
    return props.resetKey !== state.key ? { error: undefined, key: props.resetKey } : null;
  }

  override componentDidCatch(error: unknown) {
    console.warn('a page failed to render:', error);
  }

  override render() {
    if (this.state.error === undefined) return this.props.children;
    const chunk = this.state.error instanceof Error && /dynamically imported module|Loading chunk/i.test(this.state.error.message);
    return (
      <ErrorPanel
        error={this.state.error}
        what={chunk ? 'this page (Pedigree may have been updated)' : 'this page'}
        retry={() => (chunk ? window.location.reload() : this.setState({ error: undefined }))}
      />
    );
  }
}
